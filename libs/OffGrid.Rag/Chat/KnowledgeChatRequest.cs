using OffGrid.Rag.Search;

namespace OffGrid.Rag.Chat;

/// <summary>
/// Asks <see cref="RagChatClient"/> to answer one request from knowledge collections: put it in
/// <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> under <see cref="RagChatClient.KnowledgeKey"/>. The
/// server fills it from a chat request's <c>knowledge</c> field; unset values fall back to <see cref="RagChatOptions"/>.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record KnowledgeChatRequest
{
    /// <summary>Gets the collections to retrieve sources from.</summary>
    public required IReadOnlyList<string> Collections { get; init; }

    /// <summary>Gets how many sources to retrieve.</summary>
    public int? Top { get; init; }

    /// <summary>Gets the weight of the vector score, from 0 (keyword only) to 1 (vector only).</summary>
    public double? Alpha { get; init; }

    /// <summary>Gets how keyword and vector results are fused.</summary>
    public FusionMethod? Fusion { get; init; }

    /// <summary>Gets metadata a document must have for its chunks to be used.</summary>
    public IReadOnlyDictionary<string, string>? Filters { get; init; }

    /// <summary>Gets whether the answer must cite a source (see <see cref="RagChatOptions.RequireCitations"/>).</summary>
    public bool? RequireCitations { get; init; }
}
