namespace OffGrid.Rag.Storage;

/// <summary>The vector search implementation a knowledge base ended up using.</summary>
public enum VectorSearchBackend
{
    /// <summary>The sqlite-vec extension (<c>vec0</c> virtual table) inside SQLite.</summary>
    SqliteVec,

    /// <summary>Exact cosine similarity computed in-process with SIMD over vectors cached in memory.</summary>
    Exact,

    /// <summary>Binary and int8 quantized vectors in memory, with the candidates re-scored from the stored float vectors.</summary>
    Quantized,
}
