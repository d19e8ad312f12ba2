using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Polly;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// One download of one file: probes the server, streams or splits the body into ranges, resumes from the partial
/// file after failures, verifies, and moves the file into place.
/// </summary>
/// <remarks>Not thread-safe; <see cref="FileDownloader"/> runs each session once.</remarks>
internal sealed class DownloadSession
{
    private readonly HttpClient _http;
    private readonly DownloaderOptions _options;
    private readonly DownloadRequest _request;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger _logger;
    private readonly ProgressTracker _progress;
    private readonly string _destination;
    private readonly string _partialPath;
    private readonly string _planPath;
    private readonly string _validatorPath;
    private readonly List<string> _algorithms;
    private Dictionary<string, IncrementalHash>? _streamHashers;
    private long _hashedUpTo;
    private string? _validator;
    private bool _resumed;
    private int _connections;

    public DownloadSession(HttpClient http, DownloaderOptions options, DownloadRequest request, ResiliencePipeline retry, ILogger logger, IProgress<DownloadProgress>? progress)
    {
        _http = http;
        _options = options;
        _request = request;
        _retry = retry;
        _logger = logger;
        _progress = new ProgressTracker(progress, options.ProgressInterval) { Total = request.ExpectedSize };
        _destination = Path.GetFullPath(request.DestinationPath);
        _partialPath = _destination + ".partial";
        _planPath = _destination + ".partial.chunks";
        _validatorPath = _destination + ".partial.validator";
        _algorithms = [];
        if (options.ComputeSha256)
        {
            _algorithms.Add("sha256");
        }

        if (request.ExpectedHash is { } expected && !_algorithms.Contains(expected.Algorithm))
        {
            _algorithms.Add(expected.Algorithm);
        }
    }

    public async Task<DownloadResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(_destination)!);
        if (await TryUseExistingAsync(cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        try
        {
            ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(FileDownloader.SourceKey, _request.Source);
            try
            {
                await _retry.ExecuteAsync(static (context, session) => new ValueTask(session.AttemptAsync(context.CancellationToken)), context, this).ConfigureAwait(false);
            }
            catch (Exception ex) when (HostUnreachableException.IsNetworkFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                throw new HostUnreachableException(_request.Source, $"the file {Path.GetFileName(_request.Source.AbsolutePath)}", string.Empty, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            Dictionary<string, byte[]> digests = await FinishHashesAsync(cancellationToken).ConfigureAwait(false);
            long length = new FileInfo(_partialPath).Length;
            Verify(length, digests);
            File.Move(_partialPath, _destination, overwrite: true);
            File.Delete(_planPath);
            File.Delete(_validatorPath);
            _progress.Report(force: true);
            _logger.LogInformation("Downloaded {Source} to {Path} ({Bytes} bytes, {Connections} connection(s), {Seconds:0.0} s)", _request.Source, _destination, length, _connections, clock.Elapsed.TotalSeconds);
            return new DownloadResult
            {
                Path = _destination,
                Length = length,
                Sha256 = digests.TryGetValue("sha256", out byte[]? sha) ? Convert.ToHexStringLower(sha) : null,
                BytesTransferred = _progress.Transferred,
                Resumed = _resumed,
                Connections = _connections,
                Elapsed = clock.Elapsed,
            };
        }
        finally
        {
            DisposeHashers();
        }
    }

    private async Task<DownloadResult?> TryUseExistingAsync(CancellationToken ct)
    {
        if (_request.ExpectedHash is not { } expected || !File.Exists(_destination))
        {
            return null;
        }

        Dictionary<string, byte[]> digests = await HashFileAsync(_destination, ct).ConfigureAwait(false);
        if (!expected.Matches(digests[expected.Algorithm]))
        {
            return null;
        }

        _logger.LogDebug("{Path} is already present with the expected {Algorithm}", _destination, expected.Algorithm);
        return new DownloadResult
        {
            Path = _destination,
            Length = new FileInfo(_destination).Length,
            Sha256 = digests.TryGetValue("sha256", out byte[]? sha) ? Convert.ToHexStringLower(sha) : null,
        };
    }

    private async Task AttemptAsync(CancellationToken ct)
    {
        if (ChunkPlan.TryLoad(_planPath) is { } plan && File.Exists(_partialPath))
        {
            _resumed = true;
            _validator = plan.Validator;
            await RunChunksAsync(plan, ct).ConfigureAwait(false);
            return;
        }

        if (File.Exists(_planPath))
        {
            DiscardPartial(); // an unreadable plan leaves a preallocated file whose filled ranges are unknown
        }

        long existing = File.Exists(_partialPath) ? new FileInfo(_partialPath).Length : 0;
        _validator = existing > 0 && File.Exists(_validatorPath) ? File.ReadAllText(_validatorPath) : null;
        using HttpRequestMessage probe = CreateRequest(existing, null);
        using HttpResponseMessage response = await _http.SendAsync(probe, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            if (existing > 0 && response.Content.Headers.ContentRange?.Length == existing)
            {
                _resumed = true;
                return; // The partial file already holds the whole body.
            }

            DiscardPartial();
            throw new IOException($"The server rejected resuming at byte {existing}; the partial file was discarded.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw HubHttpException.FromResponse(response);
        }

        bool ranged = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { HasRange: true };
        long start = ranged ? response.Content.Headers.ContentRange!.From ?? 0 : 0;
        long? total = ranged ? response.Content.Headers.ContentRange!.Length : response.Content.Headers.ContentLength;
        if (ranged && start != existing)
        {
            throw new IOException($"The server answered a range from byte {start} instead of {existing}.");
        }

        if (total is { } t)
        {
            _progress.Total = t;
            if (_request.ExpectedSize is { } expectedSize && expectedSize != t)
            {
                throw new DownloadIntegrityException($"{_request.Source} is {t} bytes on the server, but {expectedSize} were expected.");
            }

            EnsureDiskSpace(t - start);
        }

        // Remembered so that a later resume asks for the rest only if the remote file is still the same (If-Range).
        _validator = ValidatorOf(response);
        if (ranged && start == 0 && total is { } size && _options.MaxConnections > 1 && size >= 2 * _options.MinChunkSize)
        {
            response.Dispose();
            ChunkPlan newPlan = ChunkPlan.Create(size, _options.MaxConnections, _options.MinChunkSize, _validator);
            newPlan.Save(_planPath);
            await RunChunksAsync(newPlan, ct).ConfigureAwait(false);
            return;
        }

        if (existing > 0 && !ranged)
        {
            _logger.LogInformation("The server sent all of {Source} instead of the rest (no range support, or the file changed); downloading from the start", _request.Source);
        }

        File.Delete(_validatorPath);
        if (_validator is not null)
        {
            await File.WriteAllTextAsync(_validatorPath, _validator, ct).ConfigureAwait(false);
        }

        _resumed |= ranged && start > 0;
        await RunSingleStreamAsync(response, start, total, ct).ConfigureAwait(false);
    }

    private async Task RunSingleStreamAsync(HttpResponseMessage response, long start, long? total, CancellationToken ct)
    {
        _connections = 1;
        PrepareStreamHashers(start);
        _progress.SetPresent(start);
        using SafeFileHandle file = File.OpenHandle(_partialPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
        RandomAccess.SetLength(file, start);
        Stream body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            long end = await CopyAsync(body, file, start, chunk: null, ct).ConfigureAwait(false);
            if (total is { } t && end != t)
            {
                throw new IOException($"The connection closed after {end} of {t} bytes.");
            }
        }
    }

    private async Task RunChunksAsync(ChunkPlan plan, CancellationToken ct)
    {
        _progress.Total = plan.Total;
        _progress.SetPresent(plan.Chunks.Sum(c => c.Done));
        _connections = plan.Chunks.Count;
        _streamHashers = null;
        using SafeFileHandle file = File.OpenHandle(_partialPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        if (RandomAccess.GetLength(file) != plan.Total)
        {
            EnsureDiskSpace(plan.Total - RandomAccess.GetLength(file));
            RandomAccess.SetLength(file, plan.Total);
        }

        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task saver = SavePlanPeriodicallyAsync(plan, failFast.Token);
        try
        {
            Task[] workers = plan.Chunks.Where(c => c.Remaining > 0).Select(c => RunChunkAsync(plan, c, file, failFast)).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            await saver.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            plan.Save(_planPath);
        }
    }

    private async Task RunChunkAsync(ChunkPlan plan, ChunkPlan.Chunk chunk, SafeFileHandle file, CancellationTokenSource failFast)
    {
        try
        {
            long from = chunk.Start + chunk.Done;
            long to = chunk.Start + chunk.Length - 1;
            using HttpRequestMessage request = CreateRequest(from, to);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, failFast.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw HubHttpException.FromResponse(response);
            }

            ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
            if (response.StatusCode != HttpStatusCode.PartialContent || range?.From != from || range.Length != plan.Total)
            {
                // Without the plan the preallocated partial file cannot be trusted: start over as one stream.
                DiscardPartial();
                throw new IOException($"The server answered the range {from}-{to} with {(int)response.StatusCode} {range}; restarting as one stream.");
            }

            Stream body = await response.Content.ReadAsStreamAsync(failFast.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await CopyAsync(body, file, from, chunk, failFast.Token).ConfigureAwait(false);
            }

            if (chunk.Remaining != 0)
            {
                throw new IOException($"The connection for bytes {from}-{to} closed {chunk.Remaining} bytes early.");
            }
        }
        catch
        {
            // One broken connection stops the others; the retry resumes every chunk from the saved plan.
            await failFast.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SavePlanPeriodicallyAsync(ChunkPlan plan, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            plan.Save(_planPath);
        }
    }

    /// <summary>
    /// Copies <paramref name="body"/> to the file from <paramref name="offset"/>; returns the offset after the last byte.
    /// Two buffers alternate so that the next network read is in flight while the previous block is written and hashed.
    /// </summary>
    private async Task<long> CopyAsync(Stream body, SafeFileHandle file, long offset, ChunkPlan.Chunk? chunk, CancellationToken ct)
    {
        byte[] current = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        byte[] next = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        long limit = chunk is null ? long.MaxValue : chunk.Start + chunk.Length;
        Task<int>? pending = ReadAsync(body, current, offset, limit, ct);
        try
        {
            while (true)
            {
                int read = await pending.ConfigureAwait(false);
                pending = null;
                if (read == 0)
                {
                    return offset;
                }

                pending = ReadAsync(body, next, offset + read, limit, ct);
                await RandomAccess.WriteAsync(file, current.AsMemory(0, read), offset, ct).ConfigureAwait(false);
                if (_streamHashers is not null)
                {
                    foreach (IncrementalHash hasher in _streamHashers.Values)
                    {
                        hasher.AppendData(current, 0, read);
                    }

                    _hashedUpTo = offset + read;
                }

                offset += read;
                if (chunk is not null)
                {
                    chunk.Done += read;
                }

                _progress.Add(read);
                (current, next) = (next, current);
            }
        }
        finally
        {
            // A read still in flight (after a failure) must finish before its buffer goes back to the pool.
            if (pending is not null)
            {
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private static Task<int> ReadAsync(Stream body, byte[] buffer, long offset, long limit, CancellationToken ct)
    {
        int want = (int)Math.Min(buffer.Length, limit - offset);
        return want == 0 ? Task.FromResult(0) : body.ReadAsync(buffer, 0, want, ct);
    }

    private HttpRequestMessage CreateRequest(long from, long? to)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _request.Source);
        request.Headers.Range = new RangeHeaderValue(from, to);
        if (_validator is not null && (from > 0 || to is not null))
        {
            request.Headers.TryAddWithoutValidation("If-Range", _validator);
        }
        if (_request.Headers is { } headers)
        {
            foreach ((string name, string value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>Hashes while streaming when the stream continues exactly where the hashed data ends; otherwise hashing happens after the download.</summary>
    private void PrepareStreamHashers(long start)
    {
        if (start == 0)
        {
            DisposeHashers();
            _streamHashers = _algorithms.ToDictionary(a => a, ContentHash.CreateHasher);
            _hashedUpTo = 0;
        }
        else if (_streamHashers is not null && _hashedUpTo != start)
        {
            DisposeHashers();
        }
    }

    private async Task<Dictionary<string, byte[]>> FinishHashesAsync(CancellationToken ct)
    {
        if (_streamHashers is not null && _hashedUpTo == new FileInfo(_partialPath).Length)
        {
            return _streamHashers.ToDictionary(p => p.Key, p => p.Value.GetHashAndReset());
        }

        return await HashFileAsync(_partialPath, ct).ConfigureAwait(false);
    }

    private Task<Dictionary<string, byte[]>> HashFileAsync(string path, CancellationToken ct) => FileHashing.ComputeAsync(path, _algorithms, ct);

    private void Verify(long length, Dictionary<string, byte[]> digests)
    {
        string? problem = null;
        if (_request.ExpectedSize is { } size && size != length)
        {
            problem = $"{length} bytes arrived, {size} were expected";
        }
        else if (_request.ExpectedHash is { } expected && !expected.Matches(digests[expected.Algorithm]))
        {
            problem = $"{expected.Algorithm} is {Convert.ToHexStringLower(digests[expected.Algorithm])}, {expected.Hex} was expected";
        }

        if (problem is not null)
        {
            DiscardPartial();
            throw new DownloadIntegrityException($"The download of {_request.Source} is corrupt: {problem}. The partial file was deleted.");
        }
    }

    /// <summary>Gets a strong ETag, else the Last-Modified date: what <c>If-Range</c> accepts.</summary>
    private static string? ValidatorOf(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } etag ? etag.ToString()
        : response.Content.Headers.LastModified is { } modified ? modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        : null;

    private void DiscardPartial()
    {
        File.Delete(_validatorPath);
        File.Delete(_planPath);
        File.Delete(_partialPath);
    }

    private void EnsureDiskSpace(long needed)
    {
        long available;
        try
        {
            available = new DriveInfo(Path.GetDirectoryName(_destination)!).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug(ex, "Free disk space of {Path} is unknown; not checked", _destination);
            return;
        }

        if (available < needed + _options.DiskSpaceReserve)
        {
            throw new InsufficientDiskSpaceException(
                $"Not enough disk space for {_destination}: {needed} bytes needed (+{_options.DiskSpaceReserve} reserve), {available} available.");
        }
    }

    private void DisposeHashers()
    {
        if (_streamHashers is not null)
        {
            foreach (IncrementalHash hasher in _streamHashers.Values)
            {
                hasher.Dispose();
            }

            _streamHashers = null;
        }
    }
}
