using System.Runtime.CompilerServices;
using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Peers;

/// <summary>A download from peers running in the background (see <see cref="PeerDownloads"/>): its state, progress, and cancellation.</summary>
/// <remarks>Thread-safe: progress is reported from the download's threads while any number of callers read or watch it.</remarks>
public sealed class PeerDownload : IProgress<PullProgress>
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation = new();
    private PeerDownloadStatus _status;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PeerDownload(string id, string model, IReadOnlyList<PeerInfo> peers)
    {
        _status = new PeerDownloadStatus(id, model, peers.Select(p => p.Name).ToList(), PeerDownloadState.Running, 0, null, 0, null, DateTimeOffset.UtcNow, null, null, null);
    }

    /// <summary>Gets the download's id.</summary>
    public string Id => _status.Id;

    /// <summary>Gets the current snapshot.</summary>
    public PeerDownloadStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Gets a task that completes when the download ends, however it ends.</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    internal CancellationToken Token => _cancellation.Token;

    /// <summary>Cancels the download; received bytes are kept, and a new download of the same model resumes them.</summary>
    /// <returns><see langword="true"/> when it was still running.</returns>
    public bool Cancel()
    {
        if (Status.State != PeerDownloadState.Running)
        {
            return false;
        }

        _cancellation.Cancel();
        return true;
    }

    /// <summary>Yields the current snapshot, then each change (at most one per progress interval), ending with the final state.</summary>
    /// <param name="cancellationToken">Stops watching (not the download).</param>
    /// <returns>The snapshots.</returns>
    public async IAsyncEnumerable<PeerDownloadStatus> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            PeerDownloadStatus status;
            Task changed;
            lock (_gate)
            {
                status = _status;
                changed = _changed.Task;
            }

            yield return status;
            if (status.State != PeerDownloadState.Running)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    void IProgress<PullProgress>.Report(PullProgress value) => Update(s => s with
    {
        BytesReceived = value.BytesReceived,
        TotalBytes = value.TotalBytes ?? s.TotalBytes,
        BytesPerSecond = value.BytesPerSecond,
        EstimatedRemaining = value.EstimatedRemaining,
    });

    internal void Finish(PeerDownloadState state, PeerDownloadResult? result, string? error)
    {
        Update(s => s with
        {
            State = state,
            Result = result,
            Error = error,
            FinishedAt = DateTimeOffset.UtcNow,
            BytesReceived = result?.Model.SizeBytes ?? s.BytesReceived,
            TotalBytes = result?.Model.SizeBytes ?? s.TotalBytes,
            EstimatedRemaining = state == PeerDownloadState.Completed ? TimeSpan.Zero : null,
        });
        _cancellation.Dispose();
    }

    private void Update(Func<PeerDownloadStatus, PeerDownloadStatus> change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_status.State != PeerDownloadState.Running)
            {
                return;
            }

            _status = change(_status);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
