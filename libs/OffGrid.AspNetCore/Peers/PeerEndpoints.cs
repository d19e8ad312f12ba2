using OffGrid.AspNetCore.Http;
using OffGrid.Distribution.Peers;

namespace OffGrid.AspNetCore.Peers;

/// <summary>
/// <c>/v1/p2p</c>: this server's sharing state, the LAN peers of its network and what they share, and downloads from
/// peers into the model store, started, watched (server-sent events) and cancelled over HTTP.
/// </summary>
internal static class PeerEndpoints
{
    public static async Task<IResult> StatusAsync(PeerNetwork network, CancellationToken cancellationToken) =>
        Results.Json(PeerShapes.Status(await network.GetStatusAsync(cancellationToken)), ServerJson.Options);

    public static async Task<IResult> PeersAsync(PeerNetwork network, CancellationToken cancellationToken)
    {
        PeerDiscoveryResult result = await network.DiscoverAsync(cancellationToken);
        return Results.Json(new
        {
            @object = "list",
            data = result.Peers.Select(PeerShapes.Peer),
            unreachable = result.Unreachable.Select(u => new { address = u.Address, reason = u.Reason }),
        }, ServerJson.Options);
    }

    public static async Task<IResult> ModelsAsync(string peer, PeerNetwork network, CancellationToken cancellationToken)
    {
        var data = new List<object>();
        IReadOnlyList<PeerInfo> peers = await network.ResolveAsync(peer, cancellationToken);
        foreach (PeerInfo info in peers)
        {
            data.AddRange((await network.GetModelsAsync(info, cancellationToken)).Select(PeerShapes.Model));
        }

        return Results.Json(new { @object = "list", peers = peers.Select(PeerShapes.Peer), data }, ServerJson.Options);
    }

    public static async Task<IResult> StartDownloadAsync(HttpContext http, PeerDownloads downloads)
    {
        PeerDownloadRequest request = await JsonBody.ReadAsync<PeerDownloadRequest>(http.Request, http.RequestAborted);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw ApiException.BadRequest("'model' is required: the model's name on the peers.", "model");
        }

        PeerDownload download = await downloads.StartAsync(new PeerModelReference(string.IsNullOrWhiteSpace(request.Peers) ? "*" : request.Peers, request.Model), http.RequestAborted);
        return Results.Json(PeerShapes.Download(download.Status), ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public static IResult ListDownloads(PeerDownloads downloads) =>
        Results.Json(new { @object = "list", data = downloads.List().Select(d => PeerShapes.Download(d.Status)) }, ServerJson.Options);

    public static IResult GetDownload(string id, PeerDownloads downloads) =>
        Results.Json(PeerShapes.Download(Find(id, downloads).Status), ServerJson.Options);

    /// <summary>Streams the download's state as server-sent events until it ends, then <c>data: [DONE]</c>.</summary>
    public static async Task<IResult> DownloadEventsAsync(string id, HttpContext http, PeerDownloads downloads)
    {
        PeerDownload download = Find(id, downloads);
        var writer = ChunkedJsonWriter.ServerSentEvents(http.Response);
        await foreach (PeerDownloadStatus status in download.WatchAsync(http.RequestAborted))
        {
            await writer.WriteAsync(PeerShapes.Download(status), http.RequestAborted);
        }

        await writer.WriteDoneAsync(http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>Cancels a running download and answers with its state once it has stopped (received bytes are kept).</summary>
    public static async Task<IResult> CancelDownloadAsync(string id, PeerDownloads downloads, CancellationToken cancellationToken)
    {
        PeerDownload download = Find(id, downloads);
        download.Cancel();
        await download.Completion.WaitAsync(cancellationToken);
        return Results.Json(PeerShapes.Download(download.Status), ServerJson.Options);
    }

    private static PeerDownload Find(string id, PeerDownloads downloads) =>
        downloads.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"There is no peer download '{id}'; see GET /v1/p2p/downloads.", "id", "download_not_found");
}
