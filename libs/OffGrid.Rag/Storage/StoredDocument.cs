using System.Text.Json;

namespace OffGrid.Rag.Storage;

/// <summary>A document held in a knowledge base.</summary>
/// <remarks>Immutable snapshot; safe to share between threads.</remarks>
public sealed record StoredDocument
{
    /// <summary>Gets the document id.</summary>
    public required long Id { get; init; }

    /// <summary>Gets the collection.</summary>
    public required string Collection { get; init; }

    /// <summary>Gets the document key (path, URL or caller key).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the title.</summary>
    public required string Title { get; init; }

    /// <summary>Gets the format the document was read as.</summary>
    public required string Format { get; init; }

    /// <summary>Gets the SHA-256 of the ingested content, in lower-case hex.</summary>
    public required string ContentHash { get; init; }

    /// <summary>Gets the number of chunks.</summary>
    public required int ChunkCount { get; init; }

    /// <summary>Gets the metadata: the caller's values plus what the reader found (<c>pages</c>, <c>images</c>, <c>links</c>, <c>encoding</c>).</summary>
    public required IReadOnlyDictionary<string, JsonElement> Metadata { get; init; }

    /// <summary>Gets the size, in bytes, of the content that was read (0 for caller-made chunks and files written before sizes were kept).</summary>
    public long SizeBytes { get; init; }

    /// <summary>Gets when the current content was ingested.</summary>
    public required DateTimeOffset IngestedAt { get; init; }
}
