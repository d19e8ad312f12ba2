namespace OffGrid.Rag.Ingestion;

/// <summary>What ingestion did with one document.</summary>
public enum IngestionStatus
{
    /// <summary>The document was new and is now stored.</summary>
    Added,

    /// <summary>The document's content changed and its chunks were replaced.</summary>
    Updated,

    /// <summary>The content hash matched the stored document; nothing was done.</summary>
    Unchanged,

    /// <summary>The document could not be ingested; see <see cref="IngestionResult.Error"/>. The store is unchanged for it.</summary>
    Failed,
}
