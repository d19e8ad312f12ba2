using OffGrid.Rag.Chunking;

namespace OffGrid.Rag.Ingestion;

/// <summary>The outcome of ingesting one document.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record IngestionResult
{
    /// <summary>Gets the document key.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the collection the document belongs to.</summary>
    public required string Collection { get; init; }

    /// <summary>Gets what was done.</summary>
    public required IngestionStatus Status { get; init; }

    /// <summary>Gets the stored document's id, or <see langword="null"/> when ingestion failed for a new document.</summary>
    public long? DocumentId { get; init; }

    /// <summary>Gets the number of chunks stored for the document.</summary>
    public int ChunkCount { get; init; }

    /// <summary>Gets the size, in bytes, of the content read (0 when it could not be read, and for caller-made chunks).</summary>
    public long Bytes { get; init; }

    /// <summary>Gets the chunk-size profile applied, or <see langword="null"/> when the document was not chunked.</summary>
    public ChunkingProfile? Profile { get; init; }

    /// <summary>Gets the largest chunk size, in tokens, applied; 0 when the document was not chunked.</summary>
    public int MaxTokens { get; init; }

    /// <summary>Gets the overlap, in tokens, applied; 0 when the document was not chunked.</summary>
    public int OverlapTokens { get; init; }

    /// <summary>Gets why ingestion failed, or <see langword="null"/>.</summary>
    public string? Error { get; init; }
}
