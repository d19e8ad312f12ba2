using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Output;
using OffGrid.Governance.ApiKeys;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid keys create|list|revoke|regenerate</c>: the API keys of a multi-user OffGrid server.</summary>
internal sealed class KeysCommand : Command
{
    /// <summary>Creates <c>offgrid keys</c> and its subcommands.</summary>
    public KeysCommand(CliConsole console, GovernanceServices governance)
        : base("keys", "Manage API keys. A key is shown once, when created; OffGrid stores only its digest.")
    {
        Add(CreateKey(console, governance));
        Add(ListKeys(console, governance));
        Add(RevokeKey(console, governance));
        Add(RegenerateKey(console, governance));
    }

    private static Argument<string> KeyIdArgument() => new Argument<string>("key-id") { Description = "The key's id as 'offgrid keys list' shows it (og_ and 12 characters)." }.RejectingOptions();

    private static Command CreateKey(CliConsole console, GovernanceServices governance)
    {
        var user = new Argument<string>("user") { Description = "The user the key belongs to." }.RejectingOptions();
        var name = new Option<string?>("--name") { Description = "A label for the key, for example the application that uses it." };
        Option<DateTimeOffset?> expires = TimeInput.Option("--expires", "When the key stops working; never when omitted", direction: 1);
        var json = new Option<bool>("--json") { Description = "Write the key and its details as JSON." };
        var command = new Command("create", CommandHelp.Describe(
            "Create an API key and print it (only this once). Clients send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
            "offgrid keys create ada",
            "offgrid keys create bob --name notebook --expires 90d",
            "export OPENAI_API_KEY=$(offgrid keys create bob)"))
        {
            user, name, expires, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            CreatedApiKey created = await governance.Keys.CreateAsync(
                parse.GetRequiredValue(user), parse.GetValue(name), parse.GetValue(expires), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(new { Key = created.Secret, created.Info.Id, User = created.Info.UserName, created.Info.Name, created.Info.ExpiresAt });
            }
            else
            {
                console.Text.WriteLine(created.Secret);
                console.Text.Flush();
            }

            string expiry = created.Info.ExpiresAt is { } at ? "expires " + at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never expires";
            console.Error.MarkupLineInterpolated($"Created key {created.Info.Id} for '{created.Info.UserName}' ({expiry}). Store it now: it is not shown again.");
            return 0;
        });
        return command;
    }

    private static Command ListKeys(CliConsole console, GovernanceServices governance)
    {
        var user = new Option<string?>("--user") { Description = "Only this user's keys." };
        var json = new Option<bool>("--json") { Description = "Write the keys as JSON (never the secrets: they are not stored)." };
        var command = new Command("list", CommandHelp.Describe("List API keys, newest first.", "offgrid keys list", "offgrid keys list --user bob --json")) { user, json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<ApiKeyInfo> keys = await governance.Keys.ListAsync(parse.GetValue(user), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(keys);
                return 0;
            }

            if (keys.Count == 0)
            {
                console.Out.WriteLine("No API keys. Create one with: offgrid keys create <user>");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("Id").AddColumn("User").AddColumn("Name").AddColumn("Status").AddColumn("Created").AddColumn("Expires").AddColumn("Last used");
            foreach (ApiKeyInfo key in keys)
            {
                table.AddRow(
                    key.Id,
                    Markup.Escape(key.UserName),
                    Markup.Escape(key.Name),
                    key.Status.ToString().ToLowerInvariant(),
                    Format(key.CreatedAt),
                    key.ExpiresAt is { } expires ? Format(expires) : "never",
                    key.LastUsedAt is { } used ? Format(used) : "-");
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command RevokeKey(CliConsole console, GovernanceServices governance)
    {
        Argument<string> id = KeyIdArgument();
        var command = new Command("revoke", CommandHelp.Describe("Revoke an API key: a running server refuses it from its next request.", "offgrid keys revoke og_3fK9aB2xQ7mT")) { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ApiKeyInfo key = await governance.Keys.RevokeAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"Revoked {key.Id} ('{key.Name}' of '{key.UserName}').");
            return 0;
        });
        return command;
    }

    private static Command RegenerateKey(CliConsole console, GovernanceServices governance)
    {
        Argument<string> id = KeyIdArgument();
        var command = new Command("regenerate", CommandHelp.Describe(
            "Give an API key a new secret, keeping its id, owner, name and expiry; the old secret stops working. Prints the new key once.",
            "offgrid keys regenerate og_3fK9aB2xQ7mT")) { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            CreatedApiKey key = await governance.Keys.RegenerateAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
            console.Text.WriteLine(key.Secret);
            console.Text.Flush();
            console.Error.MarkupLineInterpolated($"Regenerated {key.Info.Id}; the previous secret no longer works. Store the new one now: it is not shown again.");
            return 0;
        });
        return command;
    }

    private static string Format(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
