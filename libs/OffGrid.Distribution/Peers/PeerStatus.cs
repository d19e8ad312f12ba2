namespace OffGrid.Distribution.Peers;

/// <summary>This machine's peer-to-peer state.</summary>
/// <param name="Sharing">Whether sharing is on.</param>
/// <param name="HasSecret">Whether a network secret is set (needed to share and to download from peers).</param>
/// <param name="NodeId">This machine's peer id.</param>
/// <param name="Name">The name peers see.</param>
/// <param name="Port">The port <c>offgrid share serve</c> listens on.</param>
/// <param name="NetworkTag">The public tag of the network, when a secret is set.</param>
/// <param name="SharedModels">How many models are shared (the whole store) while sharing is on; 0 otherwise.</param>
/// <param name="ManualPeers">The manual peer list.</param>
public sealed record PeerStatus(bool Sharing, bool HasSecret, string NodeId, string Name, int Port, string? NetworkTag, int SharedModels, IReadOnlyList<string> ManualPeers);
