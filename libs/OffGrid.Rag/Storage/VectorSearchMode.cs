namespace OffGrid.Rag.Storage;

/// <summary>How a knowledge base computes vector similarity.</summary>
public enum VectorSearchMode
{
    /// <summary>Use sqlite-vec when its extension can be found and loaded, otherwise the exact in-process search.</summary>
    Auto,

    /// <summary>Require sqlite-vec; opening the knowledge base fails when the extension cannot be loaded.</summary>
    SqliteVec,

    /// <summary>Always use the exact in-process search (SIMD cosine similarity over vectors cached in memory).</summary>
    Exact,

    /// <summary>
    /// In-process search over quantized vectors for large stores (a million chunks and more): a Hamming scan over one sign bit
    /// per dimension picks candidates, an int8 copy re-ranks them, and the stored float vectors give the final scores.
    /// About a tenth of <see cref="Exact"/>'s memory (bits + int8 per chunk); recall against exact search is measured in bench/.
    /// </summary>
    Quantized,
}
