using System.Net;
using System.Net.Sockets;

namespace OffGrid.Rag.Ingestion;

/// <summary>
/// Connects HTTP requests only to public addresses unless private ones are allowed: the check runs on the addresses a
/// host name resolves to, at connect time, so neither a redirect nor a DNS answer that changes can reach the inside.
/// </summary>
internal static class PrivateNetworkGuard
{
    public static SocketsHttpHandler CreateHandler(bool allowPrivate)
    {
        // Redirects are followed by UrlFetcher itself so that it can count them and check each target.
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All };
        if (!allowPrivate)
        {
            handler.ConnectCallback = ConnectPublicAsync;
        }

        return handler;
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // fc00::/7 unique-local, fe80::/10 link-local, site-local.
            byte first = address.GetAddressBytes()[0];
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (first & 0xFE) == 0xFC;
        }

        byte[] b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127) || b[0] >= 224;
    }

    private static async ValueTask<Stream> ConnectPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        IPAddress[] allowed = addresses.Where(a => !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new DocumentReadException($"{host} is a loopback, private or link-local address; fetching such URLs is turned off (RagOptions.AllowPrivateNetworkUrls, Server:Knowledge:AllowPrivateNetworkUrls).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
