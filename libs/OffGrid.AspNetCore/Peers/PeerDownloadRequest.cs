using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Peers;

/// <summary>The body of <c>POST /v1/p2p/downloads</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PeerDownloadRequest
{
    /// <summary>The model's store name on the peers (or its repository, when one model matches).</summary>
    public string? Model { get; set; }

    /// <summary>The peers: names, ids or host:port, comma-separated, or <c>*</c> (the default) for every peer that shares the model.</summary>
    public string? Peers { get; set; }
}
