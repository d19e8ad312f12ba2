namespace OffGrid.Distribution.Peers;

/// <summary>A machine of this OffGrid network that answered: its id, name, address and what it shares.</summary>
/// <param name="Id">The peer's stable id (32 hexadecimal digits).</param>
/// <param name="Name">The name it goes by.</param>
/// <param name="Endpoint">The base address of its peer protocol, for example <c>http://10.0.0.5:11612/peer/v1/</c>.</param>
/// <param name="Version">Its OffGrid version.</param>
/// <param name="ModelCount">How many models it shares.</param>
/// <param name="Discovery">How it was found.</param>
public sealed record PeerInfo(string Id, string Name, Uri Endpoint, string Version, int ModelCount, PeerDiscoveryMethod Discovery);
