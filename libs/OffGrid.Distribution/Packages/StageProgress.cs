using OffGrid.Hub.Downloads;

namespace OffGrid.Distribution.Packages;

/// <summary>Counts the bytes of one stage of a package operation and reports them as <see cref="PackageProgress"/> with rate and time left.</summary>
/// <remarks>Thread-safe as far as <see cref="ProgressTracker"/> is; <see cref="Item"/> is set by the one writer between files.</remarks>
internal sealed class StageProgress : IProgress<DownloadProgress>
{
    private readonly IProgress<PackageProgress>? _target;
    private readonly PackageStage _stage;

    public StageProgress(IProgress<PackageProgress>? target, PackageStage stage, long? total, TimeSpan? interval = null)
    {
        _target = target;
        _stage = stage;
        Tracker = new ProgressTracker(this, interval ?? TimeSpan.FromMilliseconds(250)) { Total = total };
    }

    public ProgressTracker Tracker { get; }

    /// <summary>Gets or sets the file being worked on.</summary>
    public string? Item { get; set; }

    public void Add(int bytes) => Tracker.Add(bytes);

    public void Finish() => Tracker.Report(force: true);

    void IProgress<DownloadProgress>.Report(DownloadProgress value) =>
        _target?.Report(new PackageProgress(_stage, Item, value.BytesReceived, value.TotalBytes, value.BytesPerSecond, value.EstimatedRemaining));
}
