using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// Downloads files over HTTP(S) resumably and verifiably: continues from <c>&lt;dest&gt;.partial</c> with range
/// requests, splits large files over parallel connections, retries transient failures with backoff, checks the
/// size and digest before moving the file into place, and never leaves a half-written file at the destination.
/// </summary>
/// <remarks>
/// Thread-safe. Concurrent calls for the same destination (across all instances in the process) share one
/// download; each caller's cancellation only stops the shared download when every caller has cancelled.
/// Cancelling keeps the partial file so that the next call resumes.
/// </remarks>
public sealed class FileDownloader
{
    private static readonly ConcurrentDictionary<string, SharedDownload> s_running = new(StringComparer.Ordinal);

    private readonly HttpClient _httpClient;
    private readonly DownloaderOptions _options;
    private readonly ILogger _logger;
    /// <summary>The address being downloaded, in the resilience context of an attempt (for the retry message).</summary>
    internal static readonly ResiliencePropertyKey<Uri> SourceKey = new("OffGrid.Hub.Downloads.Source");

    private readonly ResiliencePipeline _retry;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClient">The client used for every request; its handler should follow redirects (the default).</param>
    /// <param name="options">Tuning; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives progress and retry messages.</param>
    public FileDownloader(HttpClient httpClient, DownloaderOptions? options = null, ILogger<FileDownloader>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
        _options = options ?? new DownloaderOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _retry = BuildRetryPipeline(_options, _logger);
    }

    /// <summary>Downloads <see cref="DownloadRequest.Source"/> to <see cref="DownloadRequest.DestinationPath"/>.</summary>
    /// <param name="request">What to download and how to check it.</param>
    /// <param name="progress">Receives progress at most every <see cref="DownloaderOptions.ProgressInterval"/> and once at the end.</param>
    /// <param name="cancellationToken">Stops this caller's wait; the partial file is kept for resuming.</param>
    /// <returns>The verified file.</returns>
    /// <exception cref="HubHttpException">The server refused (401, 403, 404…) or kept rate-limiting after the retries.</exception>
    /// <exception cref="DownloadIntegrityException">The size or digest did not match; the partial file was deleted.</exception>
    /// <exception cref="InsufficientDiskSpaceException">The disk cannot hold the file.</exception>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.DestinationPath);
        string key = Path.GetFullPath(request.DestinationPath);
        while (true)
        {
            SharedDownload shared = s_running.GetOrAdd(key, _ => new SharedDownload());
            if (!shared.TryJoin(request.Source, progress, out bool isOwner))
            {
                // That download is finishing or was cancelled by all its callers: let it release the partial file, then start afresh.
                await ((Task)shared.Completion).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                continue;
            }

            if (isOwner)
            {
                shared.Start(() => RunAsync(request, shared, key));
            }

            try
            {
                return await shared.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                shared.Leave(progress);
                throw;
            }
            finally
            {
                shared.Unsubscribe(progress);
            }
        }
    }

    private async Task<DownloadResult> RunAsync(DownloadRequest request, SharedDownload shared, string key)
    {
        try
        {
            var session = new DownloadSession(_httpClient, _options, request, _retry, _logger, shared);
            return await session.RunAsync(shared.Token).ConfigureAwait(false);
        }
        finally
        {
            s_running.TryRemove(new KeyValuePair<string, SharedDownload>(key, shared));
            shared.Close();
        }
    }

    private static ResiliencePipeline BuildRetryPipeline(DownloaderOptions options, ILogger logger) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(options.MaxRetries > 0 && IsTransient(args.Outcome.Exception, args.Context.CancellationToken, options)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Exception is HubHttpException { RetryAfter: { } wait } ? wait : null),
                OnRetry = args =>
                {
                    logger.LogWarning(
                        "The download from {Host} failed: {Reason}; trying again in {Delay:0.0} s (retry {Attempt} of {MaxRetries}).",
                        args.Context.Properties.TryGetValue(SourceKey, out Uri? source) ? source.Authority : "the server", args.Outcome.Exception is { } e ? HostUnreachableException.Reason(e) : "unknown",
                        args.RetryDelay.TotalSeconds, args.AttemptNumber + 1, options.MaxRetries);
                    return default;
                },
            })
            .Build();

    private static bool IsTransient(Exception? exception, CancellationToken cancellationToken, DownloaderOptions options) => exception switch
    {
        HubHttpException { StatusCode: HttpStatusCode.TooManyRequests } http => http.RetryAfter is not { } wait || wait <= options.MaxRetryAfter,
        HubHttpException http => http.IsTransient,
        InsufficientDiskSpaceException => false,
        _ when HostUnreachableException.IsNameResolutionFailure(exception) => false, // offline: retrying only makes the user wait
        HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // an HttpClient timeout, not the caller
        _ => false,
    };

    /// <summary>One running download that any number of callers wait on; it reports progress to all of them.</summary>
    private sealed class SharedDownload : IProgress<DownloadProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<IProgress<DownloadProgress>> _subscribers = [];
        private readonly CancellationTokenSource _cancellation = new();
        private readonly TaskCompletionSource<DownloadResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Uri? _source;
        private int _waiters;
        private bool _closed;

        public Task<DownloadResult> Completion => _completion.Task;

        public CancellationToken Token => _cancellation.Token;

        public bool TryJoin(Uri source, IProgress<DownloadProgress>? progress, out bool isOwner)
        {
            lock (_lock)
            {
                isOwner = false;
                if (_closed || _cancellation.IsCancellationRequested)
                {
                    return false;
                }

                if (_source is null)
                {
                    _source = source;
                    isOwner = true;
                }
                else if (_source != source)
                {
                    throw new InvalidOperationException($"A download from {_source} to the same destination is already running.");
                }

                _waiters++;
                if (progress is not null)
                {
                    _subscribers.Add(progress);
                }

                return true;
            }
        }

        public void Start(Func<Task<DownloadResult>> run) => _ = RunAsync(run);

        public void Leave(IProgress<DownloadProgress>? progress)
        {
            lock (_lock)
            {
                Unsubscribe(progress);
                if (--_waiters == 0 && !_closed)
                {
                    _cancellation.Cancel();
                }
            }
        }

        public void Unsubscribe(IProgress<DownloadProgress>? progress)
        {
            if (progress is not null)
            {
                lock (_lock)
                {
                    _subscribers.Remove(progress);
                }
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                _closed = true;
            }
        }

        public void Report(DownloadProgress value)
        {
            IProgress<DownloadProgress>[] subscribers;
            lock (_lock)
            {
                subscribers = [.. _subscribers];
            }

            foreach (IProgress<DownloadProgress> subscriber in subscribers)
            {
                subscriber.Report(value);
            }
        }

        private async Task RunAsync(Func<Task<DownloadResult>> run)
        {
            try
            {
                _completion.TrySetResult(await run().ConfigureAwait(false));
            }
            catch (OperationCanceledException ex)
            {
                _completion.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                _completion.TrySetException(ex);
            }
            finally
            {
                lock (_lock)
                {
                    _closed = true;
                    _cancellation.Dispose();
                }
            }
        }
    }
}
