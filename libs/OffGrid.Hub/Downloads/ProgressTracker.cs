using System.Diagnostics;

namespace OffGrid.Hub.Downloads;

/// <summary>Counts bytes from any number of connections and reports progress at most once per interval.</summary>
/// <remarks>Thread-safe: <see cref="Add"/> may be called from every connection at once.</remarks>
internal sealed class ProgressTracker
{
    private readonly IProgress<DownloadProgress>? _progress;
    private readonly long _intervalTicks;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _reportLock = new();
    private long _present;
    private long _transferred;
    private long _lastReport;

    public ProgressTracker(IProgress<DownloadProgress>? progress, TimeSpan interval)
    {
        _progress = progress;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _lastReport = -_intervalTicks;
    }

    public long? Total { get; set; }

    public long Transferred => Interlocked.Read(ref _transferred);

    /// <summary>Sets the bytes already on disk when an attempt starts (they count as received, not as transferred).</summary>
    public void SetPresent(long bytes) => Interlocked.Exchange(ref _present, bytes);

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
