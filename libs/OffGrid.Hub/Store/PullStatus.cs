namespace OffGrid.Hub.Store;

/// <summary>The stage a pull is in.</summary>
public enum PullStatus
{
    /// <summary>Resolving the alias, listing the repository and choosing a variant.</summary>
    Resolving,

    /// <summary>Downloading files (bytes and ETA are set).</summary>
    Downloading,

    /// <summary>Checking the GGUF header and writing the manifest.</summary>
    Verifying,

    /// <summary>The model is in the store.</summary>
    Done,
}
