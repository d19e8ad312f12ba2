using System.Runtime.CompilerServices;
using OffGrid.Rag.Ingestion;

namespace OffGrid.Rag.Collections;

/// <summary>
/// A batch ingestion running in the background: progress snapshots (documents, chunks, bytes, time left), the results of
/// the documents finished so far, and cancellation. A failing document is one failed result, never the job's failure.
/// </summary>
/// <remarks>Thread-safe: progress is written by the ingestion and read by any number of watchers.</remarks>
public sealed class IngestionJob
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<IngestionResult> _results = [];
    private readonly long _knownBytes;
    private readonly long _startedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _urlBytes;
    private string? _current;

    internal IngestionJob(string collection, IReadOnlyList<DocumentSource> sources)
    {
        Id = "ingest-" + Guid.NewGuid().ToString("N")[..16];
        Collection = collection;
        DocumentsTotal = sources.Count;
        _knownBytes = sources.Sum(s => s.KnownLength ?? 0);
        CreatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Gets the job id (<c>ingest-</c> and 16 hex digits).</summary>
    public string Id { get; }

    /// <summary>Gets the collection the documents go to.</summary>
    public string Collection { get; }

    /// <summary>Gets how many documents the job holds.</summary>
    public int DocumentsTotal { get; }

    /// <summary>Gets when the job was started.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Gets when the job ended, or <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Gets the job's status.</summary>
    public IngestionJobStatus Status { get; private set; } = IngestionJobStatus.Running;

    /// <summary>Gets why the job failed, when <see cref="Status"/> is <see cref="IngestionJobStatus.Failed"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets a task that completes when the job ends, whatever the outcome.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Gets the results of the documents finished so far, in the order they finished.</summary>
    public IReadOnlyList<IngestionResult> Results
    {
        get
        {
            lock (_gate)
            {
                return [.. _results];
            }
        }
    }

    /// <summary>Asks the job to stop; documents already stored stay stored.</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>Takes a snapshot of the progress.</summary>
    /// <returns>The snapshot.</returns>
    public IngestionJobProgress GetProgress()
    {
        lock (_gate)
        {
            TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_startedTimestamp);
            long bytesDone = _results.Sum(r => r.Bytes);
            long bytesTotal = _knownBytes + _urlBytes;
            int done = _results.Count;
            TimeSpan? remaining = null;
            if (Status == IngestionJobStatus.Running && done > 0)
            {
                double fraction = bytesTotal > 0 && bytesDone > 0 && _urlBytes == 0 && _knownBytes > 0
                    ? Math.Min(1, bytesDone / (double)bytesTotal)
                    : done / (double)DocumentsTotal;
                remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / Math.Max(fraction, 1e-9));
            }
            else if (Status != IngestionJobStatus.Running)
            {
                remaining = TimeSpan.Zero;
            }

            return new IngestionJobProgress
            {
                Status = Status,
                DocumentsTotal = DocumentsTotal,
                DocumentsCompleted = done,
                DocumentsFailed = _results.Count(r => r.Status == IngestionStatus.Failed),
                DocumentsUnchanged = _results.Count(r => r.Status == IngestionStatus.Unchanged),
                Chunks = _results.Sum(r => (long)r.ChunkCount),
                BytesCompleted = bytesDone,
                BytesTotal = Math.Max(bytesTotal, bytesDone),
                Elapsed = (FinishedAt ?? DateTimeOffset.UtcNow) - CreatedAt,
                EstimatedRemaining = remaining,
                Current = _current,
            };
        }
    }

    /// <summary>Yields a progress snapshot now and after every change, until the job ends (the last snapshot has the final status).</summary>
    /// <param name="cancellationToken">Stops watching; the job goes on.</param>
    /// <returns>The snapshots.</returns>
    public async IAsyncEnumerable<IngestionJobProgress> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            IngestionJobProgress progress = GetProgress();
            yield return progress;
            if (progress.Status != IngestionJobStatus.Running)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Start(Func<IProgress<IngestionProgress>, CancellationToken, Task> ingest) =>
        Completion = Task.Run(async () =>
        {
            try
            {
                await ingest(new Observer(this), _cancellation.Token).ConfigureAwait(false);
                Finish(IngestionJobStatus.Completed, null);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                Finish(IngestionJobStatus.Cancelled, null);
            }
            catch (Exception ex)
            {
                Finish(IngestionJobStatus.Failed, ex is KnowledgeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
            }
        });

    private void Finish(IngestionJobStatus status, string? error)
    {
        lock (_gate)
        {
            Status = status;
            Error = error;
            FinishedAt = DateTimeOffset.UtcNow;
        }

        Signal();
    }

    private void OnProgress(IngestionProgress progress)
    {
        lock (_gate)
        {
            _current = progress.Source;
            if (progress.Result is { } result)
            {
                _results.Add(result);
                if (Uri.TryCreate(result.Source, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
                {
                    _urlBytes += result.Bytes;
                }
            }
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private sealed class Observer(IngestionJob job) : IProgress<IngestionProgress>
    {
        public void Report(IngestionProgress value) => job.OnProgress(value);
    }
}
