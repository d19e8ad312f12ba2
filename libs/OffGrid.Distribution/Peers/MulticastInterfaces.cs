using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace OffGrid.Distribution.Peers;

/// <summary>The network interfaces multicast DNS runs on: up, multicast-capable, not loopback, with an IPv4 address.</summary>
internal static class MulticastInterfaces
{
    public static IReadOnlyList<(int Index, IPAddress Address)> List()
    {
        var result = new List<(int, IPAddress)>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || !nic.SupportsMulticast || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            IPInterfaceProperties properties = nic.GetIPProperties();
            if (properties.GetIPv4Properties() is not { } ipv4)
            {
                continue;
            }

            foreach (UnicastIPAddressInformation address in properties.UnicastAddresses.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork))
            {
                result.Add((ipv4.Index, address.Address));
            }
        }

        return result;
    }
}
