using System.Net;

namespace OffGrid.Distribution.Peers;

/// <summary>An OffGrid service seen on the LAN: its instance label (the peer id), port, addresses (the sender's first) and TXT properties.</summary>
internal sealed record AnnouncedService(string Instance, int Port, IReadOnlyList<IPAddress> Addresses, IReadOnlyDictionary<string, string> Properties);
