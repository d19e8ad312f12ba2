using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// The addresses one download may fetch from (the source and its mirrors), which of them failed, and how many bytes
/// each delivered. A failed address gets no new ranges until every address has failed, then all are tried again.
/// </summary>
/// <remarks>Thread-safe: the connections of a parallel download report to it at once.</remarks>
internal sealed class DownloadSources
{
    private readonly Uri[] _all;
    private readonly HashSet<Uri> _failed = [];
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<Uri, long> _bytes = new();
    private readonly ILogger _logger;

    public DownloadSources(Uri source, IReadOnlyList<Uri>? mirrors, ILogger logger)
    {
        _all = [source, .. (mirrors ?? []).Where(m => m != source).Distinct()];
        _logger = logger;
    }

    /// <summary>Gets a value indicating whether more than one address serves the file.</summary>
    public bool IsMultiple => _all.Length > 1;

    /// <summary>Gets the bytes each address delivered in this session.</summary>
    public IReadOnlyDictionary<Uri, long> BytesBySource => new Dictionary<Uri, long>(_bytes);

    /// <summary>Gets the addresses that have not failed (all of them again once every one has failed).</summary>
    public IReadOnlyList<Uri> Healthy()
    {
        lock (_lock)
        {
            Uri[] healthy = _all.Where(u => !_failed.Contains(u)).ToArray();
            if (healthy.Length > 0)
            {
                return healthy;
            }

            _failed.Clear();
            return _all;
        }
    }

    /// <summary>Counts bytes delivered by <paramref name="source"/>.</summary>
    public void Count(Uri source, int bytes) => _bytes.AddOrUpdate(source, bytes, (_, total) => total + bytes);

    /// <summary>
    /// Records that <paramref name="source"/> failed with <paramref name="exception"/> and returns the exception to throw:
    /// with mirrors left, a refusal (404…) of one address becomes a retryable <see cref="IOException"/> so that the
    /// others take over its ranges.
    /// </summary>
    public Exception Fail(Uri source, Exception exception)
    {
        if (!IsMultiple)
        {
            return exception;
        }

        lock (_lock)
        {
            _failed.Add(source);
        }

        _logger.LogWarning("Download source {Source} failed ({Message}); its ranges move to the other sources", source, exception.Message);
        return exception is HubHttpException { IsTransient: false }
            ? new IOException($"{source} refused the download ({exception.Message}); the other sources take over.", exception)
            : exception;
    }

    /// <summary>Gets a value indicating whether <paramref name="exception"/> is the fault of the address rather than of this machine or the caller.</summary>
    public static bool IsSourceFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        _ when DiskSpace.IsDiskFull(exception) => false,
        DownloadIntegrityException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException or IOException or HubHttpException => true,
        _ => false,
    };
}
