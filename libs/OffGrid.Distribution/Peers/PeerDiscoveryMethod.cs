namespace OffGrid.Distribution.Peers;

/// <summary>How a peer was found.</summary>
public enum PeerDiscoveryMethod
{
    /// <summary>It answered a DNS-SD query for <c>_offgrid._tcp</c> on the LAN.</summary>
    Multicast,

    /// <summary>It is on the manual peer list, or was named by address.</summary>
    Manual,
}
