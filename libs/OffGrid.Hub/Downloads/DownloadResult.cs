namespace OffGrid.Hub.Downloads;

/// <summary>The outcome of a completed, verified download.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class DownloadResult
{
    /// <summary>Gets the path of the downloaded file.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the file size in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>Gets the SHA-256 of the file as lower-case hex, or <see langword="null"/> when hashing was turned off.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Gets the bytes transferred over the network by this call (0 when the file was already present).</summary>
    public long BytesTransferred { get; init; }

    /// <summary>Gets a value indicating whether the download continued from a partial file of an earlier attempt.</summary>
    public bool Resumed { get; init; }

    /// <summary>Gets the number of parallel connections used (1 for a single stream, 0 when nothing was transferred).</summary>
    public int Connections { get; init; }

    /// <summary>Gets the bytes each address (the source or a mirror) delivered in this call.</summary>
    public IReadOnlyDictionary<Uri, long> BytesBySource { get; init; } = new Dictionary<Uri, long>();

    /// <summary>Gets the time the call took.</summary>
    public TimeSpan Elapsed { get; init; }
}
