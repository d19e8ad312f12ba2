namespace OffGrid.Rag.Collections;

/// <summary>Where an ingestion job is.</summary>
public enum IngestionJobStatus
{
    /// <summary>Documents are being ingested.</summary>
    Running,

    /// <summary>Every document was handled (some may have failed: see the results).</summary>
    Completed,

    /// <summary>The job was cancelled; documents finished before that are kept.</summary>
    Cancelled,

    /// <summary>The job stopped on an error that is not any one document's (see <see cref="IngestionJob.Error"/>).</summary>
    Failed,
}
