using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid peers [peer]</c>, <c>offgrid peers add|remove &lt;host:port&gt;</c>: the LAN peers of this network and what they share.</summary>
internal sealed class PeersCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;
    private readonly Argument<string?> _peer = new Argument<string?>("peer") { Description = "Show what this peer shares: a name, id, host:port, or * for all.", Arity = ArgumentArity.ZeroOrOne }.RejectingOptions();
    private readonly Option<bool> _json = new("--json") { Description = "Write the peers (or models) as JSON." };

    /// <summary>Creates the command and its subcommands.</summary>
    public PeersCommand(CliConsole console, DistributionServices distribution)
        : base("peers", CommandHelp.Describe(
            "List the LAN peers that share with this network (found by DNS-SD, or on the manual list), or what one of them shares. Peers without the network secret never appear.",
            "offgrid peers",
            "offgrid peers lab-2",
            "offgrid peers add 10.0.0.7:11612",
            "offgrid pull peer:lab-2/llama3.2"))
    {
        _console = console;
        _distribution = distribution;
        Add(_peer);
        Add(_json);
        Add(Change(add: true));
        Add(Change(add: false));
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        PeerNetwork network = _distribution.Peers;
        if (parse.GetValue(_peer) is { } peer)
        {
            var models = new List<PeerModel>();
            foreach (PeerInfo info in await network.ResolveAsync(peer, cancellationToken).ConfigureAwait(false))
            {
                models.AddRange(await network.GetModelsAsync(info, cancellationToken).ConfigureAwait(false));
            }

            WriteModels(models, parse.GetValue(_json));
            return 0;
        }

        PeerDiscoveryResult result = await network.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        foreach (UnreachablePeer unreachable in result.Unreachable)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]{unreachable.Address}: {unreachable.Reason}[/]");
        }

        if (parse.GetValue(_json))
        {
            _console.WriteJson(result.Peers);
            return 0;
        }

        if (result.Peers.Count == 0)
        {
            _console.Out.MarkupLine("No peer of this network answered. Peers need 'offgrid share on' with the same secret and 'offgrid share serve' (or 'offgrid serve'); add peers multicast cannot reach with 'offgrid peers add <host:port>'.");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Peer").AddColumn("Id").AddColumn("Address").AddColumn("Models", c => c.RightAligned()).AddColumn("Found by").AddColumn("Version");
        foreach (PeerInfo info in result.Peers)
        {
            table.AddRow(Markup.Escape(info.Name), info.Id[..8], Markup.Escape(info.Endpoint.Authority), info.ModelCount.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Discovery == PeerDiscoveryMethod.Multicast ? "DNS-SD" : "manual", Markup.Escape(info.Version));
        }

        _console.Out.Write(table);
        return 0;
    }

    private void WriteModels(List<PeerModel> models, bool json)
    {
        if (json)
        {
            _console.WriteJson(models.Select(m => new
            {
                Peer = m.Peer.Name,
                m.Name,
                m.Repository,
                m.Quantization,
                m.Architecture,
                m.SizeBytes,
                m.Files,
                Signature = new { Status = m.Signature.Status, m.Signature.Publisher, m.Signature.KeyId },
            }));
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Peer").AddColumn("Model").AddColumn("Quant").AddColumn("Size", c => c.RightAligned()).AddColumn("SHA-256").AddColumn("Signature");
        foreach (PeerModel model in models)
        {
            table.AddRow(
                Markup.Escape(model.Peer.Name),
                Markup.Escape(model.Name),
                Markup.Escape(model.Quantization ?? "-"),
                ByteSize.Format(model.SizeBytes),
                model.Files[0].Sha256[..12],
                Markup.Escape(Describe(model.Signature)));
        }

        _console.Out.Write(table);
    }

    private static string Describe(PeerModelSignature signature) => signature.Status switch
    {
        SignatureStatus.Unsigned => "unsigned",
        SignatureStatus.Trusted => $"signed by {signature.Publisher} (trusted)",
        SignatureStatus.UntrustedKey => $"signed by {signature.Publisher} ({signature.KeyId}, not trusted here)",
        SignatureStatus.RevokedKey => $"signed by a revoked key ({signature.KeyId})",
        _ => "invalid signature",
    };

    private Command Change(bool add)
    {
        var address = new Argument<string>("address") { Description = "The peer's host:port (port 11612 unless it was changed)." }.RejectingOptions();
        var command = new Command(add ? "add" : "remove", add
            ? CommandHelp.Describe("Add a peer to ask directly, for networks where multicast does not reach it.", "offgrid peers add 10.0.0.7:11612", "offgrid peers add lab-2.example.internal:11612")
            : CommandHelp.Describe("Remove a peer from the manual list.", "offgrid peers remove 10.0.0.7:11612")) { address };
        command.SetAction(async (parse, ct) =>
        {
            string value = parse.GetRequiredValue(address).Trim();
            if (add && !PeerNetwork.TryParseAddress(value, out _, out _))
            {
                throw new PeerException(PeerProblem.InvalidInput, $"'{value}' is not a host:port address.");
            }

            PeerSettings settings = await _distribution.PeerSettings.UpdateAsync(s => s with
            {
                ManualPeers = add
                    ? [.. s.ManualPeers.Where(p => !p.Equals(value, StringComparison.OrdinalIgnoreCase)), value]
                    : s.ManualPeers.Contains(value, StringComparer.OrdinalIgnoreCase)
                        ? [.. s.ManualPeers.Where(p => !p.Equals(value, StringComparison.OrdinalIgnoreCase))]
                        : throw new PeerException(PeerProblem.UnknownPeer, $"{value} is not on the manual peer list ({(s.ManualPeers.Count == 0 ? "it is empty" : string.Join(", ", s.ManualPeers))})."),
            }, ct).ConfigureAwait(false);
            _console.Out.MarkupLineInterpolated($"Manual peers: {(settings.ManualPeers.Count == 0 ? "none" : string.Join(", ", settings.ManualPeers))}");
            return 0;
        });
        return command;
    }
}
