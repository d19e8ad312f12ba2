using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Makaretu.Dns;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// Finds <c>_offgrid._tcp</c> services on the LAN with a one-shot multicast DNS query (RFC 6762 §5.1) sent on every
/// multicast interface; responders answer the query's port directly, so no port 5353 socket is needed here.
/// </summary>
internal static class PeerBrowser
{
    public static async Task<IReadOnlyList<AnnouncedService>> BrowseAsync(TimeSpan timeout, CancellationToken ct)
    {
        IReadOnlyList<(int Index, IPAddress Address)> interfaces = MulticastInterfaces.List();
        if (interfaces.Count == 0)
        {
            return [];
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        ushort id = (ushort)RandomNumberGenerator.GetInt32(1, ushort.MaxValue);
        byte[] query = DnsServiceRecords.Query(id).ToByteArray();
        var found = new Dictionary<string, AnnouncedService>(StringComparer.OrdinalIgnoreCase);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
        window.CancelAfter(timeout);

        // Multicast is lossy: ask again half-way through the window.
        Task asking = AskAsync(socket, query, interfaces, timeout / 2, window.Token);
        byte[] buffer = new byte[9000];
        try
        {
            while (true)
            {
                SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), window.Token).ConfigureAwait(false);
                var response = new Message();
                try
                {
                    response.Read(buffer, 0, received.ReceivedBytes);
                }
                catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException or InvalidOperationException)
                {
                    continue;
                }

                foreach (AnnouncedService service in DnsServiceRecords.Read(response, ((IPEndPoint)received.RemoteEndPoint).Address))
                {
                    found[service.Instance] = found.TryGetValue(service.Instance, out AnnouncedService? known)
                        ? known with { Addresses = known.Addresses.Concat(service.Addresses).Distinct().ToList() }
                        : service;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The window closed.
        }

        await asking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return found.Values.ToList();
    }

    private static async Task AskAsync(Socket socket, byte[] query, IReadOnlyList<(int Index, IPAddress Address)> interfaces, TimeSpan pause, CancellationToken ct)
    {
        for (int round = 0; round < 2; round++)
        {
            foreach ((_, IPAddress address) in interfaces)
            {
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
                    await socket.SendToAsync(query, SocketFlags.None, new IPEndPoint(DnsServiceRecords.Group, DnsServiceRecords.Port), ct).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    // An interface without a route for multicast: the others may still reach peers.
                }
            }

            await Task.Delay(pause, ct).ConfigureAwait(false);
        }
    }
}
