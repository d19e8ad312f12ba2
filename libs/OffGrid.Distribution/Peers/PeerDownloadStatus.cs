namespace OffGrid.Distribution.Peers;

/// <summary>A snapshot of a background peer download.</summary>
/// <param name="Id">The download's id.</param>
/// <param name="Model">The model asked for.</param>
/// <param name="Peers">The names of the peers asked.</param>
/// <param name="State">Where it stands.</param>
/// <param name="BytesReceived">Bytes of the model present so far.</param>
/// <param name="TotalBytes">The model's size, once the peers' listings are read.</param>
/// <param name="BytesPerSecond">The current rate.</param>
/// <param name="EstimatedRemaining">The estimated time left.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it ended, if it has.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="Result">The stored model and the bytes each peer delivered, once completed.</param>
public sealed record PeerDownloadStatus(
    string Id,
    string Model,
    IReadOnlyList<string> Peers,
    PeerDownloadState State,
    long BytesReceived,
    long? TotalBytes,
    double BytesPerSecond,
    TimeSpan? EstimatedRemaining,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    PeerDownloadResult? Result);
