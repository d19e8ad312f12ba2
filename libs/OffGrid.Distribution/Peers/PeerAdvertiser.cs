using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// Answers DNS-SD queries for <c>_offgrid._tcp</c> on the LAN while sharing is on and a network secret is set, with
/// this machine's peer id, the port the host listens on, and the network tag (never the secret or the machine name).
/// Runs in a web host that maps <see cref="Microsoft.AspNetCore.Builder.PeerSharingEndpointRouteBuilderExtensions.MapOffGridPeerSharing"/>;
/// a host listening on loopback only is not announced.
/// </summary>
/// <remarks>IPv4 multicast DNS only. Legacy one-shot queries (from a port other than 5353) are answered by unicast.</remarks>
internal sealed partial class PeerAdvertiser : BackgroundService
{
    private readonly PeerSettingsStore _settings;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    public PeerAdvertiser(PeerSettingsStore settings, IServiceProvider services, ILogger<PeerAdvertiser> logger)
    {
        _settings = settings;
        _services = services;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_services.GetService<IServer>() is not { } server || _services.GetService<IHostApplicationLifetime>() is not { } lifetime)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        if (LanPort(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []) is not { } port)
        {
            // Only worth a warning when someone expects the machine to be found.
            if ((await _settings.GetAsync(stoppingToken).ConfigureAwait(false)).Sharing)
            {
                LogLoopbackOnly(_logger);
            }

            return;
        }

        try
        {
            using Socket socket = OpenResponder();
            LogListening(_logger, port);
            await AnswerQueriesAsync(socket, port, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (SocketException ex)
        {
            LogSocketFailed(_logger, ex);
        }
    }

    private async Task AnswerQueriesAsync(Socket socket, int port, CancellationToken ct)
    {
        byte[] buffer = new byte[9000];
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct).ConfigureAwait(false);
            var query = new Message();
            try
            {
                query.Read(buffer, 0, received.ReceivedBytes);
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException or InvalidOperationException)
            {
                continue; // not a DNS message we can read
            }

            if (!DnsServiceRecords.AsksForService(query))
            {
                continue;
            }

            PeerSettings settings = await _settings.GetAsync(ct).ConfigureAwait(false);
            NetworkSecret? secret = settings.Sharing ? await _settings.GetSecretAsync(ct).ConfigureAwait(false) : null;
            if (secret is null)
            {
                continue;
            }

            var remote = (IPEndPoint)received.RemoteEndPoint;
            IReadOnlyList<(int Index, IPAddress Address)> interfaces = MulticastInterfaces.List();
            var properties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["v"] = "1",
                ["id"] = settings.NodeId,
                ["net"] = secret.NetworkTag,
                ["path"] = PeerWire.DefaultPrefix,
            };
            bool legacy = remote.Port != DnsServiceRecords.Port;
            byte[] answer = DnsServiceRecords.Answer(query, legacy, settings.NodeId, port, interfaces.Select(i => i.Address).ToList(), properties).ToByteArray();
            if (legacy)
            {
                await socket.SendToAsync(answer, SocketFlags.None, remote, ct).ConfigureAwait(false);
                continue;
            }

            foreach ((_, IPAddress address) in interfaces)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
                await socket.SendToAsync(answer, SocketFlags.None, new IPEndPoint(DnsServiceRecords.Group, DnsServiceRecords.Port), ct).ConfigureAwait(false);
            }
        }
    }

    private static Socket OpenResponder()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Other responders (avahi, Bonjour) share the port.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, DnsServiceRecords.Port));
            foreach ((int index, _) in MulticastInterfaces.List().DistinctBy(i => i.Index))
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(DnsServiceRecords.Group, index));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Gets the port of the first address the host listens on that other machines can reach (any-address or a LAN address).</summary>
    internal static int? LanPort(IEnumerable<string> addresses)
    {
        foreach (string address in addresses)
        {
            string normalized = address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out Uri? uri) || uri.IsLoopback)
            {
                continue;
            }

            if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) || !IPAddress.IsLoopback(ip))
            {
                return uri.Port;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer sharing is not announced on the LAN: the host listens on loopback only. Listen on a LAN address (for example --host 0.0.0.0) to share.")]
    private static partial void LogLoopbackOnly(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Answering DNS-SD queries for _offgrid._tcp (peers connect on port {Port}).")]
    private static partial void LogListening(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Multicast DNS is not available; peers can still add this machine by address.")]
    private static partial void LogSocketFailed(ILogger logger, Exception exception);
}
