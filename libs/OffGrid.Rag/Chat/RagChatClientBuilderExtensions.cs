using Microsoft.Extensions.DependencyInjection;
using OffGrid.Rag;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="RagChatClient"/> to a chat pipeline, like Microsoft.Extensions.AI's own <c>Use*</c> middleware.</summary>
public static class RagChatClientBuilderExtensions
{
    /// <summary>
    /// Answers each request with sources retrieved from <paramref name="knowledgeBase"/> (or, when <see langword="null"/>,
    /// the <see cref="KnowledgeBase"/> registered in the pipeline's service provider), citing them as <c>[n]</c>.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="knowledgeBase">Where sources come from; <see langword="null"/> resolves it from the service provider.</param>
    /// <param name="configure">Adjusts retrieval and prompt settings; they are validated when the pipeline is built.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">At build time: no knowledge base was given and none is registered.</exception>
    public static ChatClientBuilder UseRag(this ChatClientBuilder builder, KnowledgeBase? knowledgeBase = null, Action<RagChatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new RagChatOptions();
            configure?.Invoke(options);
            return new RagChatClient(inner, knowledgeBase ?? services.GetRequiredService<KnowledgeBase>(), options);
        });
    }

    /// <summary>
    /// Answers requests that name knowledge collections (<see cref="RagChatClient.KnowledgeKey"/>, or
    /// <see cref="RagChatOptions.DefaultCollections"/>) with sources retrieved from them, citing them as <c>[n]</c>; other
    /// requests pass through untouched.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="collections">Where sources come from.</param>
    /// <param name="configure">Adjusts retrieval and prompt settings; they are validated when the pipeline is built.</param>
    /// <returns>The same builder.</returns>
    public static ChatClientBuilder UseRag(this ChatClientBuilder builder, KnowledgeCollections collections, Action<RagChatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collections);
        return builder.Use(inner =>
        {
            var options = new RagChatOptions();
            configure?.Invoke(options);
            return new RagChatClient(inner, collections, options);
        });
    }

    /// <summary>
    /// Answers requests that name knowledge collections with sources retrieved through <paramref name="search"/> — a
    /// <see cref="FederatedKnowledgeSearch"/> includes the collections' remote OffGrid nodes, and their citations name the node;
    /// other requests pass through untouched.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="search">Where sources come from.</param>
    /// <param name="configure">Adjusts retrieval and prompt settings; they are validated when the pipeline is built.</param>
    /// <returns>The same builder.</returns>
    public static ChatClientBuilder UseRag(this ChatClientBuilder builder, IKnowledgeSearch search, Action<RagChatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(search);
        return builder.Use(inner =>
        {
            var options = new RagChatOptions();
            configure?.Invoke(options);
            return new RagChatClient(inner, search, options);
        });
    }
}
