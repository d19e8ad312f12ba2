using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Signing;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid package key generate|export|trust|untrust|list</c>: this machine's Ed25519 publisher key and the keys it
/// trusts to sign packages (<c>offgrid keys</c> is about API keys).
/// </summary>
internal sealed class PackageKeyCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;

    /// <summary>Creates the command and its subcommands.</summary>
    public PackageKeyCommand(CliConsole console, DistributionServices distribution)
        : base("key", "Manage this machine's publisher key, which signs packages, and the publisher keys it trusts.")
    {
        _console = console;
        _distribution = distribution;
        Add(Generate());
        Add(Export());
        Add(Trust());
        Add(Untrust());
        Add(List());
    }

    private Command Generate()
    {
        var name = new Option<string>("--name") { Description = "The publisher name shown with the key (a person, team or organisation).", DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}" };
        var force = new Option<bool>("--force") { Description = "Replace an existing key (packages it signed then no longer match this machine's key)." };
        var json = new Option<bool>("--json") { Description = "Write the new key as JSON." };
        var command = new Command("generate", CommandHelp.Describe(
            "Generate this machine's Ed25519 publisher key (kept in OFFGRID_HOME/keys/publisher.json, readable only by you).",
            "offgrid package key generate --name \"Acme IT\"",
            "offgrid package key generate --force")) { name, force, json };
        command.SetAction(async (parse, ct) =>
        {
            using PublisherKeyPair key = PublisherKeyPair.Generate(parse.GetRequiredValue(name));
            string path = _distribution.Options.GetPublisherKeyFile();
            await key.SaveAsync(path, parse.GetValue(force), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                _console.WriteJson(new { key.PublicKey.Name, key.PublicKey.KeyId, PublicKey = key.PublicKey.ToString(), Path = path });
                return 0;
            }

            _console.Out.MarkupLineInterpolated($"[green]Generated[/] the publisher key {key.PublicKey.KeyId} ({key.PublicKey.Name}) in {path}.");
            _console.Error.MarkupLineInterpolated($"[grey]Give 'offgrid package key export' to the machines that import your packages, and the key id over another channel.[/]");
            return 0;
        });
        return command;
    }

    private Command Export()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the public key to this file instead of standard output." };
        var command = new Command("export", CommandHelp.Describe(
            "Print this machine's public publisher key (one line), for 'offgrid package key trust' on other machines.",
            "offgrid package key export",
            "offgrid package key export -o acme.pub")) { output };
        command.SetAction(async (parse, ct) =>
        {
            using PublisherKeyPair key = await _distribution.LoadPublisherKeyAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, key.PublicKey + "\n", ct).ConfigureAwait(false);
                _console.Error.MarkupLineInterpolated($"[grey]Wrote the public key {key.PublicKey.KeyId} to {file}.[/]");
            }
            else
            {
                _console.Text.WriteLine(key.PublicKey.ToString());
            }

            return 0;
        });
        return command;
    }

    private Command Trust()
    {
        var key = new Argument<string>("key") { Description = "A public key file (publisher.pub) or the key line itself." }.RejectingOptions();
        var keyId = new Option<string?>("--key-id") { Description = "The key id the publisher told you; the key is refused when its id differs." };
        var force = new Option<bool>("--force") { Description = "Trust a key that was revoked on this machine." };
        var command = new Command("trust", CommandHelp.Describe(
            "Trust a publisher key: packages it signs are accepted by verify and import.",
            "offgrid package key trust /media/usb/offgrid/publisher.pub --key-id 3f2a91bc5d7e4f60a1b2c3d4e5f60718",
            "offgrid package key trust \"offgrid-ed25519 AAAA... Acme IT\"")) { key, keyId, force };
        command.SetAction(async (parse, ct) =>
        {
            PublisherKey publisher = await ReadKeyAsync(parse.GetRequiredValue(key), ct).ConfigureAwait(false);
            if (parse.GetValue(keyId) is { } expected && !publisher.KeyId.Equals(expected.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new PublisherKeyException($"The key's id is {publisher.KeyId}, not {expected.Trim()}: it is not the key the publisher told you about. Not trusted.");
            }

            TrustedPublisher entry = await _distribution.Trust.TrustAsync(publisher, parse.GetValue(force), ct).ConfigureAwait(false);
            _console.Out.MarkupLineInterpolated($"[green]Trusted[/] {entry.Key.Name} ({entry.Key.KeyId}).");
            return 0;
        });
        return command;
    }

    private Command Untrust()
    {
        var key = new Argument<string>("key") { Description = "A key id (or its first 8+ digits), a publisher name, a key file or a key line." }.RejectingOptions();
        var revoke = new Option<bool>("--revoke") { Description = "Keep the key as revoked: packages it signed are refused as revoked, even if someone trusts it again without --force." };
        var command = new Command("untrust", CommandHelp.Describe(
            "Stop trusting a publisher key, or revoke it.",
            "offgrid package key untrust 3f2a91bc",
            "offgrid package key untrust \"Acme IT\" --revoke",
            "offgrid package key untrust leaked.pub --revoke")) { key, revoke };
        command.SetAction(async (parse, ct) =>
        {
            string text = parse.GetRequiredValue(key);
            PublisherKey? given = File.Exists(text) || text.StartsWith(PublisherKey.TextPrefix, StringComparison.Ordinal) ? await ReadKeyAsync(text, ct).ConfigureAwait(false) : null;
            TrustedPublisher entry = (parse.GetValue(revoke), given) switch
            {
                (true, { } k) => await _distribution.Trust.RevokeAsync(k, ct).ConfigureAwait(false),
                (true, null) => await _distribution.Trust.RevokeAsync(text, ct).ConfigureAwait(false),
                (false, { } k) => await _distribution.Trust.RemoveAsync(k.KeyId, ct).ConfigureAwait(false),
                (false, null) => await _distribution.Trust.RemoveAsync(text, ct).ConfigureAwait(false),
            };
            _console.Out.MarkupLineInterpolated($"{(entry.IsRevoked ? "[red]Revoked[/]" : "[yellow]No longer trusted[/]")}: {entry.Key.Name} ({entry.Key.KeyId}).");
            return 0;
        });
        return command;
    }

    private Command List()
    {
        var json = new Option<bool>("--json") { Description = "Write the keys as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the trusted and revoked publisher keys, and this machine's own key.", "offgrid package key list", "offgrid package key list --json")) { json };
        command.SetAction(async (parse, ct) =>
        {
            IReadOnlyList<TrustedPublisher> entries = await _distribution.Trust.ListAsync(ct).ConfigureAwait(false);
            using PublisherKeyPair? pair = File.Exists(_distribution.Options.GetPublisherKeyFile()) ? await _distribution.LoadPublisherKeyAsync(ct).ConfigureAwait(false) : null;
            PublisherKey? own = pair?.PublicKey;
            if (parse.GetValue(json))
            {
                _console.WriteJson(new
                {
                    Own = own is null ? null : new { own.Name, own.KeyId },
                    Keys = entries.Select(e => new { e.Key.Name, e.Key.KeyId, Status = e.IsRevoked ? "revoked" : "trusted", e.TrustedAt, e.RevokedAt }),
                });
                return 0;
            }

            if (own is not null)
            {
                _console.Out.MarkupLineInterpolated($"This machine signs as {own.Name} ({own.KeyId}).");
            }

            if (entries.Count == 0)
            {
                _console.Out.MarkupLine("No trusted publisher keys yet; add one with 'offgrid package key trust <publisher.pub>'.");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Publisher").AddColumn("Key id").AddColumn("Status").AddColumn("Since");
            foreach (TrustedPublisher entry in entries)
            {
                table.AddRow(
                    Markup.Escape(entry.Key.Name),
                    entry.Key.KeyId,
                    entry.IsRevoked ? "[red]revoked[/]" : "[green]trusted[/]",
                    (entry.RevokedAt ?? entry.TrustedAt).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            }

            _console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static async Task<PublisherKey> ReadKeyAsync(string fileOrLine, CancellationToken ct)
    {
        if (fileOrLine.StartsWith(PublisherKey.TextPrefix, StringComparison.Ordinal))
        {
            return PublisherKey.Parse(fileOrLine);
        }

        if (!File.Exists(fileOrLine))
        {
            throw new PublisherKeyException($"'{fileOrLine}' is neither a key file nor a key line ({PublisherKey.TextPrefix} ...).");
        }

        string text = await File.ReadAllTextAsync(fileOrLine, ct).ConfigureAwait(false);
        return PublisherKey.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty);
    }
}
