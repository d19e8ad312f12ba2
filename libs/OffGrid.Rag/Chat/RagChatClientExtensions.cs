using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Chat;

/// <summary>
/// Composes <see cref="RagChatClient"/> onto a chat client. The <c>ChatClientBuilder</c> type lives in the Microsoft.Extensions.AI
/// package rather than its abstractions, so this extension wraps the client directly; a builder's <c>Use(inner =&gt; inner.WithRag(kb))</c> works the same.
/// </summary>
public static class RagChatClientExtensions
{
    /// <summary>Wraps <paramref name="client"/> so that each request is answered with sources retrieved from <paramref name="knowledgeBase"/>.</summary>
    /// <param name="client">The client that generates answers.</param>
    /// <param name="knowledgeBase">Where sources come from.</param>
    /// <param name="options">Retrieval and prompt settings.</param>
    /// <returns>The wrapping client.</returns>
    /// <remarks>Thread-safe when <paramref name="client"/> is.</remarks>
    public static RagChatClient WithRag(this IChatClient client, KnowledgeBase knowledgeBase, RagChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        return new RagChatClient(client, knowledgeBase, options);
    }
}
