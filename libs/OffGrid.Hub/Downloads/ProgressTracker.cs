using System.Diagnostics;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// Counts transferred bytes (downloads, copies to slow media) from any number of writers and reports progress with
/// the rate and time left at most once per interval.
/// </summary>
/// <remarks>Thread-safe: <see cref="Add"/> may be called from every connection at once.</remarks>
public sealed class ProgressTracker
{
    private readonly IProgress<DownloadProgress>? _progress;
    private readonly long _intervalTicks;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _reportLock = new();
    private long _present;
    private long _transferred;
    private long _lastReport;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="progress">Receives the reports; <see langword="null"/> only counts.</param>
    /// <param name="interval">The shortest time between two reports (<see cref="TimeSpan.Zero"/> reports every call).</param>
    public ProgressTracker(IProgress<DownloadProgress>? progress, TimeSpan interval)
    {
        _progress = progress;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _lastReport = -_intervalTicks;
    }

    /// <summary>Gets or sets the total bytes of the transfer, when known.</summary>
    public long? Total { get; set; }

    /// <summary>Gets the bytes moved by this tracker's transfer (not counting bytes that were already present).</summary>
    public long Transferred => Interlocked.Read(ref _transferred);

    /// <summary>Sets the bytes already present when an attempt starts (they count as received, not as transferred).</summary>
    /// <param name="bytes">The bytes present.</param>
    public void SetPresent(long bytes) => Interlocked.Exchange(ref _present, bytes);

    /// <summary>Counts <paramref name="bytes"/> more, reporting when the interval has passed.</summary>
    /// <param name="bytes">The bytes just moved.</param>
    public void Add(int bytes)
    {
        Interlocked.Add(ref _present, bytes);
        Interlocked.Add(ref _transferred, bytes);
        long now = _clock.ElapsedTicks;
        if (_progress is not null && now - Interlocked.Read(ref _lastReport) >= _intervalTicks)
        {
            Report(force: false);
        }
    }

    /// <summary>Reports the current state now (when <paramref name="force"/>) or when the interval has passed.</summary>
    /// <param name="force">Reports even within the interval (for the final report).</param>
    public void Report(bool force)
    {
        if (_progress is null)
        {
            return;
        }

        DownloadProgress snapshot;
        lock (_reportLock)
        {
            long now = _clock.ElapsedTicks;
            if (!force && now - _lastReport < _intervalTicks)
            {
                return;
            }

            _lastReport = now;
            double seconds = _clock.Elapsed.TotalSeconds;
            double rate = seconds > 0 ? Transferred / seconds : 0;
            long present = Interlocked.Read(ref _present);
            TimeSpan? eta = Total is { } total && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - present) / rate) : null;
            snapshot = new DownloadProgress(present, Total, rate, eta);
        }

        _progress.Report(snapshot);
    }
}
