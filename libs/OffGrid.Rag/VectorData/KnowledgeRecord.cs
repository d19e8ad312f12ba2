namespace OffGrid.Rag.VectorData;

/// <summary>
/// One record of a knowledge base seen through Microsoft.Extensions.VectorData: a document holding one chunk, keyed by its
/// source. Records written here are found by <see cref="KnowledgeBase.SearchAsync"/> too (BM25 over <see cref="Text"/> and
/// <see cref="Title"/>, cosine over <see cref="Vector"/>), and documents ingested from files read back as their first chunk.
/// </summary>
/// <remarks>Plain data; not thread-safe while being changed.</remarks>
public sealed class KnowledgeRecord
{
    /// <summary>Gets or sets the key: the document's source (a path, URL or any string), unique within the collection.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the text, indexed for keyword search.</summary>
    public string Text { get; set; } = string.Empty;

    /// <summary>Gets or sets the title shown in citations; empty uses the key.</summary>
    public string Title { get; set; } = string.Empty;

    /// <summary>Gets or sets metadata usable in knowledge-base search filters.</summary>
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the embedding. Stored normalised to unit length (cosine similarity is the score), so a record read back has
    /// its direction, not its length; empty on records read without vectors.
    /// </summary>
    public ReadOnlyMemory<float> Vector { get; set; }
}
