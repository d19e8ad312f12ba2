namespace OffGrid.Rag.Ingestion;

/// <summary>A chunk prepared by the caller, with its text and optionally its embedding, stored as is without chunking.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record PrecomputedChunk
{
    /// <summary>Initializes a chunk.</summary>
    /// <param name="text">The chunk text.</param>
    /// <param name="embedding">Its embedding; when empty the knowledge base's embedding generator computes one.</param>
    public PrecomputedChunk(string text, ReadOnlyMemory<float> embedding = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Embedding = embedding;
    }

    /// <summary>Gets the chunk text.</summary>
    public string Text { get; }

    /// <summary>Gets the embedding, or an empty memory to have it computed.</summary>
    public ReadOnlyMemory<float> Embedding { get; }

    /// <summary>Gets the heading path shown in citations (for example <c>Guide &gt; Setup</c>).</summary>
    public string HeadingPath { get; init; } = string.Empty;

    /// <summary>Gets the 1-based page the chunk starts on, when the source has pages.</summary>
    public int? Page { get; init; }
}
