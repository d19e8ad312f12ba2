using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Peers;
using OffGrid.Hub;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid share on|off|status|serve</c>: whether this machine shares its models with the LAN peers that know the
/// network secret, the secret itself, and a sharing-only server.
/// </summary>
internal sealed class ShareCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;

    /// <summary>Creates the command and its subcommands.</summary>
    public ShareCommand(CliConsole console, DistributionServices distribution)
        : base("share", "Share this machine's models with LAN peers that know the network secret (off by default).")
    {
        _console = console;
        _distribution = distribution;
        Add(Switch(on: true));
        Add(Switch(on: false));
        Add(Status());
        Add(Serve());
    }

    private Command Switch(bool on)
    {
        var generate = new Option<bool>("--generate-secret") { Description = "Create a new network secret, save it and print it (copy it to the other machines)." };
        var secretFile = new Option<string?>("--secret-file") { Description = "Read the network secret from this file ('-' for standard input)." };
        var name = new Option<string?>("--name") { Description = "The name peers see (default: the machine name)." };
        var port = new Option<int?>("--port") { Description = $"The port 'offgrid share serve' listens on (default {OffGrid.Distribution.DistributionOptions.DefaultPeerPort})." };
        var command = new Command(on ? "on" : "off", on
            ? CommandHelp.Describe(
                "Share every model in the store with peers that know the network secret; a running 'offgrid share serve' or server follows at once.",
                "offgrid share on --generate-secret --name lab-1",
                "offgrid share on --secret-file /media/usb/offgrid.secret")
            : CommandHelp.Describe(
                "Stop sharing. A secret given here is still saved, to download from peers without sharing.",
                "offgrid share off",
                "offgrid share off --secret-file /media/usb/offgrid.secret"))
        {
            generate, secretFile, name, port,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(generate) && result.GetValue(secretFile) is not null)
            {
                result.AddError("--generate-secret and --secret-file cannot be used together.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            PeerSettingsStore store = _distribution.PeerSettings;
            NetworkSecret? secret = parse.GetValue(generate) ? NetworkSecret.Generate()
                : parse.GetValue(secretFile) is { } file ? NetworkSecret.Parse(file == "-" ? await _console.Input.ReadToEndAsync(ct).ConfigureAwait(false) : await ReadSecretFileAsync(file, ct).ConfigureAwait(false))
                : null;
            if (secret is not null)
            {
                await store.SaveSecretAsync(secret, ct).ConfigureAwait(false);
            }
            else if (on && await store.GetSecretAsync(ct).ConfigureAwait(false) is null)
            {
                throw new PeerException(PeerProblem.NotConfigured, "Sharing needs a network secret: pass --generate-secret on the first machine, and --secret-file <file> with the same secret on the others.");
            }

            PeerSettings settings = await store.UpdateAsync(s => s with
            {
                Sharing = on,
                Name = parse.GetValue(name) ?? s.Name,
                Port = parse.GetValue(port) ?? s.Port,
            }, ct).ConfigureAwait(false);
            _console.Out.MarkupLineInterpolated($"Sharing is [bold]{(on ? "on" : "off")}[/] for {settings.Name} ({settings.NodeId}).");
            if (parse.GetValue(generate))
            {
                _console.Error.MarkupLine("[grey]The network secret (saved; give it to the other machines over a safe channel, e.g. 'offgrid share on --secret-file -'):[/]");
                _console.Text.WriteLine(secret!.Reveal());
            }

            if (on)
            {
                _console.Error.MarkupLineInterpolated($"[grey]Peers download from 'offgrid share serve' (port {settings.Port}).[/]");
            }

            return 0;
        });
        return command;
    }

    private Command Status()
    {
        var json = new Option<bool>("--json") { Description = "Write the state as JSON." };
        var command = new Command("status", CommandHelp.Describe("Show whether this machine shares, its peer id and name, and whether a network secret is set.", "offgrid share status", "offgrid share status --json")) { json };
        command.SetAction(async (parse, ct) =>
        {
            PeerStatus status = await _distribution.Peers.GetStatusAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                _console.WriteJson(status);
                return 0;
            }

            _console.Out.MarkupLineInterpolated($"Sharing: {(status.Sharing ? $"on ({status.SharedModels} models)" : "off")}");
            _console.Out.MarkupLineInterpolated($"Name: {status.Name} ({status.NodeId}), port {status.Port}");
            _console.Out.MarkupLineInterpolated($"Network secret: {(status.HasSecret ? $"set (network {status.NetworkTag})" : "not set")}");
            _console.Out.MarkupLineInterpolated($"Manual peers: {(status.ManualPeers.Count == 0 ? "none" : string.Join(", ", status.ManualPeers))}");
            return 0;
        });
        return command;
    }

    private Command Serve()
    {
        var host = new Option<string?>("--host") { Description = "The address to listen on (default: every interface, so LAN peers can connect)." };
        var port = new Option<int?>("--port") { Description = "The port (default: the one set with 'offgrid share on --port')." };
        var command = new Command("serve", CommandHelp.Describe(
            "Serve this machine's shared models to peers and answer DNS-SD discovery, until Ctrl+C. 'offgrid serve' does the same alongside its APIs.",
            "offgrid share serve",
            "offgrid share serve --host 10.0.0.5 --port 11700")) { host, port };
        command.SetAction(async (parse, ct) =>
        {
            PeerStatus status = await _distribution.Peers.GetStatusAsync(ct).ConfigureAwait(false);
            if (!status.Sharing || !status.HasSecret)
            {
                throw new PeerException(PeerProblem.NotConfigured, "Sharing is off (or no network secret is set); turn it on with 'offgrid share on' first.");
            }

            string? address = parse.GetValue(host);
            IPAddress listen = address is null ? IPAddress.Any : IPAddress.TryParse(address, out IPAddress? ip) ? ip : throw new PeerException(PeerProblem.InvalidInput, $"'{address}' is not an IP address.");
            int listenPort = parse.GetValue(port) ?? status.Port;
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning);
            builder.WebHost.UseKestrel(o => o.Listen(listen, listenPort));
            builder.Services.AddOffGridHub().AddOffGridDistribution();
            WebApplication app = builder.Build();
            await using (app.ConfigureAwait(false))
            {
                app.MapOffGridPeerSharing();
                await app.StartAsync(ct).ConfigureAwait(false);
                _console.Error.MarkupLineInterpolated($"Sharing {status.SharedModels} model(s) as {status.Name} on {listen}:{listenPort} (network {status.NetworkTag}). Ctrl+C stops.");
                await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task<string> ReadSecretFileAsync(string file, CancellationToken ct) =>
        File.Exists(file) ? await File.ReadAllTextAsync(file, ct).ConfigureAwait(false) : throw new PeerException(PeerProblem.InvalidInput, $"The secret file {file} does not exist.");
}
