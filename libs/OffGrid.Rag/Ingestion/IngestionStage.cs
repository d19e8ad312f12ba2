namespace OffGrid.Rag.Ingestion;

/// <summary>The step a document has reached during ingestion.</summary>
public enum IngestionStage
{
    /// <summary>Reading or downloading and parsing the document.</summary>
    Reading,

    /// <summary>Cutting the text into chunks.</summary>
    Chunking,

    /// <summary>Computing embeddings.</summary>
    Embedding,

    /// <summary>Writing chunks to the store.</summary>
    Storing,

    /// <summary>The document is finished (stored, unchanged or failed).</summary>
    Completed,
}
