namespace OffGrid.Rag.Storage;

/// <summary>The vector search implementation a knowledge base ended up using.</summary>
public enum VectorSearchBackend
{
    /// <summary>The sqlite-vec extension (<c>vec0</c> virtual table) inside SQLite.</summary>
    SqliteVec,

    /// <summary>Exact cosine similarity computed in-process with SIMD over vectors cached in memory.</summary>
    Exact,
}
