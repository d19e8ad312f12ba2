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
}
