using OffGrid.Rag.Chunking;

namespace OffGrid.Rag.Ingestion;

/// <summary>Per-call settings of an ingestion.</summary>
/// <remarks>Plain data; do not mutate an instance while an ingestion that uses it runs.</remarks>
public sealed class IngestionOptions
{
    /// <summary>Gets or sets chunk size and overlap overrides; <see langword="null"/> tunes them per document.</summary>
    public ChunkingOptions? Chunking { get; set; }

    /// <summary>Gets or sets a value indicating whether documents are re-chunked and re-embedded even when their content did not change.</summary>
    public bool Force { get; set; }
}
