namespace OffGrid.Rag.Collections;

/// <summary>A snapshot of an ingestion job's progress.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record IngestionJobProgress
{
    /// <summary>Gets the job's status at the time of the snapshot.</summary>
    public required IngestionJobStatus Status { get; init; }

    /// <summary>Gets how many documents the job holds.</summary>
    public required int DocumentsTotal { get; init; }

    /// <summary>Gets how many documents are finished (stored, unchanged or failed).</summary>
    public required int DocumentsCompleted { get; init; }

    /// <summary>Gets how many of the finished documents failed.</summary>
    public required int DocumentsFailed { get; init; }

    /// <summary>Gets how many finished documents were unchanged and skipped.</summary>
    public required int DocumentsUnchanged { get; init; }

    /// <summary>Gets the chunks of the finished documents.</summary>
    public required long Chunks { get; init; }

    /// <summary>Gets the content bytes of the finished documents.</summary>
    public required long BytesCompleted { get; init; }

    /// <summary>Gets the content bytes of all documents, as far as known before reading (URLs count once fetched).</summary>
    public required long BytesTotal { get; init; }

    /// <summary>Gets the time since the job started.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the estimated time left, from the bytes (or, when sizes are unknown, the documents) done so far; <see langword="null"/> before the first document finishes.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Gets the document being worked on most recently.</summary>
    public string? Current { get; init; }
}
