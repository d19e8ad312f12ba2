namespace OffGrid.Hub.Downloads;

/// <summary>Tuning of <see cref="FileDownloader"/>: parallel connections, retries, hashing, disk checks.</summary>
/// <remarks>Plain settings object; do not change it while downloads are running.</remarks>
public sealed class DownloaderOptions
{
    /// <summary>Gets or sets the most connections one file is split over (1 disables parallel chunks). Default 4.</summary>
    public int MaxConnections { get; set; } = 4;

    /// <summary>Gets or sets the smallest chunk worth its own connection; files under twice this use one stream. Default 32 MiB.</summary>
    public long MinChunkSize { get; set; } = 32L << 20;

    /// <summary>Gets or sets how many times a transient failure (network error, dropped connection, 429, 5xx) is retried. Default 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Gets or sets the first retry delay; later ones grow exponentially with jitter. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest <c>Retry-After</c> that is waited for; a longer one fails at once. Default 2 min.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the read buffer per connection in bytes. Default 1 MiB.</summary>
    public int BufferSize { get; set; } = 1 << 20;

    /// <summary>Gets or sets a value indicating whether the SHA-256 of every file is computed and returned (needed by the model store). Default true.</summary>
    public bool ComputeSha256 { get; set; } = true;

    /// <summary>Gets or sets the free space to leave on the disk beyond the file itself. Default 64 MiB.</summary>
    public long DiskSpaceReserve { get; set; } = 64L << 20;

    /// <summary>Gets or sets how often progress is reported. Default 250 ms.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinChunkSize, 1, nameof(MinChunkSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 4096, nameof(BufferSize));
        ArgumentOutOfRangeException.ThrowIfNegative(DiskSpaceReserve, nameof(DiskSpaceReserve));
    }
}
