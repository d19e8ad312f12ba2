namespace OffGrid.Distribution.Peers;

/// <summary>The outcome of <see cref="PeerNetwork.DiscoverAsync"/>.</summary>
/// <param name="Peers">The peers that answered with this network's secret, by name.</param>
/// <param name="Unreachable">Manual peers that did not answer, or answered without this network's secret, with the reason.</param>
public sealed record PeerDiscoveryResult(IReadOnlyList<PeerInfo> Peers, IReadOnlyList<UnreachablePeer> Unreachable);
