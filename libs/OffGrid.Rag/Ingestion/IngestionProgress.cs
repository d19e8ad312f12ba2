namespace OffGrid.Rag.Ingestion;

/// <summary>A progress report of a batch ingestion.</summary>
/// <param name="Source">The key of the document being worked on.</param>
/// <param name="Stage">The step that document has reached.</param>
/// <param name="DocumentsCompleted">How many documents of the batch are finished.</param>
/// <param name="DocumentsTotal">How many documents the batch holds.</param>
/// <param name="ChunksDone">For <see cref="IngestionStage.Embedding"/>, how many chunks of the document are embedded so far; otherwise 0.</param>
/// <param name="ChunksTotal">The document's chunk count once known; otherwise 0.</param>
/// <remarks>Reports of a batch may arrive from several threads at once; parsing runs ahead of storing, so reports of different documents interleave.</remarks>
public sealed record IngestionProgress(string Source, IngestionStage Stage, int DocumentsCompleted, int DocumentsTotal, int ChunksDone, int ChunksTotal)
{
    /// <summary>Gets, for <see cref="IngestionStage.Completed"/>, the document's result; otherwise <see langword="null"/>.</summary>
    public IngestionResult? Result { get; init; }
}
