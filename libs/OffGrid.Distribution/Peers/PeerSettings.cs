namespace OffGrid.Distribution.Peers;

/// <summary>This machine's peer-to-peer settings, kept in <c>p2p.json</c> under <c>OFFGRID_HOME</c>.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record PeerSettings
{
    /// <summary>Gets a value indicating whether this machine shares its stored models with peers that know the network secret. Off by default.</summary>
    public bool Sharing { get; init; }

    /// <summary>Gets this machine's stable peer id (32 hexadecimal digits).</summary>
    public required string NodeId { get; init; }

    /// <summary>Gets the name peers see (the machine name by default).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the TCP port <c>offgrid share serve</c> listens on. Default <see cref="DistributionOptions.DefaultPeerPort"/>.</summary>
    public int Port { get; init; } = DistributionOptions.DefaultPeerPort;

    /// <summary>Gets peers to ask directly (<c>host:port</c>), for networks where multicast does not reach them.</summary>
    public IReadOnlyList<string> ManualPeers { get; init; } = [];
}
