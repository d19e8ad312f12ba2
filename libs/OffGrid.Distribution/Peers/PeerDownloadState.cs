namespace OffGrid.Distribution.Peers;

/// <summary>Where a background peer download stands.</summary>
public enum PeerDownloadState
{
    /// <summary>Listing the peers or transferring.</summary>
    Running,

    /// <summary>The model is in the store.</summary>
    Completed,

    /// <summary>It stopped with an error; received bytes are kept for the next attempt.</summary>
    Failed,

    /// <summary>It was cancelled; received bytes are kept for the next attempt.</summary>
    Cancelled,
}
