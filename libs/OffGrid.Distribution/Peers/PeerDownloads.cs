using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Distribution.Packages;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// Downloads from peers that run in the background, for servers and UIs: started by reference, listed, watched and
/// cancelled by id. The last 100 finished downloads are remembered.
/// </summary>
/// <remarks>Thread-safe; register as a singleton. Disposing cancels the running downloads.</remarks>
public sealed class PeerDownloads : IDisposable
{
    private const int FinishedKept = 100;
    private readonly ConcurrentDictionary<string, PeerDownload> _downloads = new(StringComparer.Ordinal);
    private readonly PeerNetwork _network;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="network">Resolves peers and downloads.</param>
    /// <param name="logger">Receives failures.</param>
    public PeerDownloads(PeerNetwork network, ILogger<PeerDownloads>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Finds the peers <paramref name="reference"/> names (so an unknown peer fails here), then starts the download in the background.</summary>
    /// <param name="reference">The peers and the model.</param>
    /// <param name="cancellationToken">Cancels finding the peers; the download itself is cancelled with <see cref="PeerDownload.Cancel"/>.</param>
    /// <returns>The running download.</returns>
    /// <exception cref="PeerException">No network secret is set, or a named peer did not answer.</exception>
    public async Task<PeerDownload> StartAsync(PeerModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        IReadOnlyList<PeerInfo> peers = await _network.ResolveAsync(reference.Peers, cancellationToken).ConfigureAwait(false);
        var download = new PeerDownload(Guid.NewGuid().ToString("N")[..12], reference.Model, peers);
        _downloads[download.Id] = download;
        download.Completion = Task.Run(() => RunAsync(download, reference.Model, peers), CancellationToken.None);
        Forget();
        return download;
    }

    /// <summary>Finds a download by id.</summary>
    /// <param name="id">The id <see cref="StartAsync"/> gave.</param>
    /// <returns>The download, or <see langword="null"/>.</returns>
    public PeerDownload? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _downloads.GetValueOrDefault(id);
    }

    /// <summary>Lists the running and remembered downloads, newest first.</summary>
    /// <returns>The downloads.</returns>
    public IReadOnlyList<PeerDownload> List() => _downloads.Values.OrderByDescending(d => d.Status.StartedAt).ToList();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (PeerDownload download in _downloads.Values)
        {
            download.Cancel();
        }
    }

    private async Task RunAsync(PeerDownload download, string model, IReadOnlyList<PeerInfo> peers)
    {
        try
        {
            PeerDownloadResult result = await _network.DownloadAsync(model, peers, download, download.Token).ConfigureAwait(false);
            download.Finish(PeerDownloadState.Completed, result, null);
        }
        catch (OperationCanceledException) when (download.Token.IsCancellationRequested)
        {
            download.Finish(PeerDownloadState.Cancelled, null, "Cancelled; the received bytes are kept and the next download of this model resumes them.");
        }
        catch (Exception ex) when (ex is PeerException or PackageException or DownloadIntegrityException or InsufficientDiskSpaceException or HubHttpException or IOException or HttpRequestException)
        {
            download.Finish(PeerDownloadState.Failed, null, ex.Message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The download {Id} of {Model} from peers failed", download.Id, model);
            download.Finish(PeerDownloadState.Failed, null, "The download failed; see the server's log.");
        }
    }

    private void Forget()
    {
        foreach (PeerDownload old in _downloads.Values.Where(d => d.Status.State != PeerDownloadState.Running).OrderByDescending(d => d.Status.StartedAt).Skip(FinishedKept))
        {
            _downloads.TryRemove(old.Id, out _);
        }
    }
}
