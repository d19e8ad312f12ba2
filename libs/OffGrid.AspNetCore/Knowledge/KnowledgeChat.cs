using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Federation;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>Puts a chat request's <c>knowledge</c> field into its options for the RAG middleware of the model's pipeline.</summary>
internal static class KnowledgeChat
{
    /// <summary>Validates <paramref name="field"/> and stores it under <see cref="RagChatClient.KnowledgeKey"/>.</summary>
    /// <param name="field">The request's field, or <see langword="null"/>.</param>
    /// <param name="options">The request's chat options.</param>
    /// <param name="param">The field's path in the request (<c>knowledge</c>, <c>options.knowledge</c>).</param>
    public static void Apply(KnowledgeField? field, ChatOptions options, string param)
    {
        if (field is not null)
        {
            (options.AdditionalProperties ??= [])[RagChatClient.KnowledgeKey] = field.ToChatRequest(param + ".");
        }
    }

    /// <summary>Refuses a request that asks for knowledge when the model's pipeline has no RAG middleware (the server did not add knowledge).</summary>
    /// <exception cref="ApiException">400 naming the field.</exception>
    public static void EnsureAvailable(IChatClient client, ChatOptions options, string param)
    {
        if (options.AdditionalProperties?.ContainsKey(RagChatClient.KnowledgeKey) == true && client.GetService<IKnowledgeSearch>() is null)
        {
            throw ApiException.BadRequest("This server has no knowledge bases (add them with AddKnowledge).", param);
        }
    }
}
