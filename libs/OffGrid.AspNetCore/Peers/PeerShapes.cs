using OffGrid.Distribution.Peers;

namespace OffGrid.AspNetCore.Peers;

/// <summary>The JSON objects of the <c>/v1/p2p</c> endpoints (snake_case through <see cref="Http.ServerJson"/>).</summary>
internal static class PeerShapes
{
    public static object Status(PeerStatus status) => new
    {
        sharing = status.Sharing,
        has_secret = status.HasSecret,
        node_id = status.NodeId,
        name = status.Name,
        port = status.Port,
        network_tag = status.NetworkTag,
        shared_models = status.SharedModels,
        manual_peers = status.ManualPeers,
    };

    public static object Peer(PeerInfo peer) => new
    {
        id = peer.Id,
        name = peer.Name,
        endpoint = peer.Endpoint.ToString(),
        version = peer.Version,
        model_count = peer.ModelCount,
        discovery = peer.Discovery == PeerDiscoveryMethod.Multicast ? "dns-sd" : "manual",
    };

    public static object Model(PeerModel model) => new
    {
        name = model.Name,
        repository = model.Repository,
        quantization = model.Quantization,
        architecture = model.Architecture,
        parameter_count = model.ParameterCount,
        size_bytes = model.SizeBytes,
        files = model.Files.Select(f => new { path = f.Path, size = f.Size, sha256 = f.Sha256 }),
        signature = new { status = Snake(model.Signature.Status.ToString()), publisher = model.Signature.Publisher, key_id = model.Signature.KeyId },
    };

    public static object Download(PeerDownloadStatus status) => new
    {
        id = status.Id,
        @object = "p2p.download",
        model = status.Model,
        peers = status.Peers,
        state = Snake(status.State.ToString()),
        bytes_received = status.BytesReceived,
        total_bytes = status.TotalBytes,
        bytes_per_second = status.BytesPerSecond,
        eta_seconds = status.EstimatedRemaining?.TotalSeconds,
        started_at = status.StartedAt,
        finished_at = status.FinishedAt,
        error = status.Error,
        stored_as = status.Result?.Model.Name,
        bytes_by_peer = status.Result?.BytesByPeer,
    };

    private static string Snake(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
