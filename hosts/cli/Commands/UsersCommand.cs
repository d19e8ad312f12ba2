using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Output;
using OffGrid.Governance.Users;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid users add|list|rm|role</c>: the accounts of a multi-user OffGrid server.</summary>
internal sealed class UsersCommand : Command
{
    /// <summary>Creates <c>offgrid users</c> and its subcommands.</summary>
    public UsersCommand(CliConsole console, GovernanceServices governance)
        : base("users", "Manage the user accounts of a multi-user OffGrid server (stored in OFFGRID_HOME/governance).")
    {
        Add(AddUser(console, governance));
        Add(ListUsers(console, governance));
        Add(RemoveUser(console, governance));
        Add(ChangeRole(console, governance));
    }

    private static Argument<string> NameArgument() => new Argument<string>("name") { Description = "The user name (letters, digits, '.', '_', '-', '@')." }.RejectingOptions();

    private static Command AddUser(CliConsole console, GovernanceServices governance)
    {
        Argument<string> name = NameArgument();
        Option<UserRole?> role = RoleInput.Option("--role", "The role: user (default), admin or auditor.");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a password for interactive sign-in from standard input (first line); without it the account uses API keys only." };
        var models = new Option<string[]>("--models") { Description = "Models the user may call (names, or prefixes ending in *); every model when omitted.", AllowMultipleArgumentsPerToken = true };
        var collections = new Option<string[]>("--collections") { Description = "Knowledge collections the user may use; every collection when omitted.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("add", CommandHelp.Describe(
            "Create a local user account.",
            "offgrid users add ada --role admin",
            "offgrid users add bob --models 'qwen*' stories --collections hr",
            "echo 'a long passphrase' | offgrid users add carol --password-stdin"))
        {
            name, role, passwordStdin, models, collections,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? password = parse.GetValue(passwordStdin) ? await console.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty : null;
            OffGridUser user = await governance.Users.AddAsync(parse.GetRequiredValue(name), parse.GetValue(role) ?? UserRole.User, password, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(models) is { Length: > 0 } || parse.GetValue(collections) is { Length: > 0 })
            {
                user = await governance.Users.SetPermissionsAsync(user.Name, parse.GetValue(models), parse.GetValue(collections), cancellationToken).ConfigureAwait(false);
            }

            console.Out.MarkupLineInterpolated($"Created {user.Role.ToName()} '{user.Name}'.");
            console.Error.MarkupLineInterpolated($"Give it an API key with: offgrid keys create {user.Name}");
            return 0;
        });
        return command;
    }

    private static Command ListUsers(CliConsole console, GovernanceServices governance)
    {
        var json = new Option<bool>("--json") { Description = "Write the users as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the user accounts.", "offgrid users list", "offgrid users list --json")) { json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<OffGridUser> users = await governance.Users.ListAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(users.Select(u => new
                {
                    u.Name,
                    Role = u.Role.ToName(),
                    u.Source,
                    u.IsDisabled,
                    u.HasPassword,
                    u.DisplayName,
                    u.Email,
                    u.AllowedModels,
                    u.AllowedCollections,
                    u.CreatedAt,
                }));
                return 0;
            }

            if (users.Count == 0)
            {
                console.Out.WriteLine("No users yet. Create one with: offgrid users add <name> --role admin");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("Name").AddColumn("Role").AddColumn("Source").AddColumn("Status").AddColumn("Models").AddColumn("Collections").AddColumn("Created");
            foreach (OffGridUser user in users)
            {
                table.AddRow(
                    Markup.Escape(user.Name),
                    user.Role.ToName(),
                    user.Source == UserSource.Ldap ? "ldap" : "local",
                    user.IsDisabled ? "disabled" : "active",
                    Markup.Escape(user.AllowedModels.Count == 0 ? "all" : string.Join(", ", user.AllowedModels)),
                    Markup.Escape(user.AllowedCollections.Count == 0 ? "all" : string.Join(", ", user.AllowedCollections)),
                    user.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command RemoveUser(CliConsole console, GovernanceServices governance)
    {
        Argument<string> name = NameArgument();
        var command = new Command("rm", CommandHelp.Describe("Delete a user account and its API keys (its usage history and audit entries stay).", "offgrid users rm bob")) { name };
        command.Aliases.Add("remove");
        command.SetAction(async (parse, cancellationToken) =>
        {
            OffGridUser user = await governance.Users.GetAsync(parse.GetRequiredValue(name), cancellationToken).ConfigureAwait(false);
            await governance.Users.RemoveAsync(user.Name, cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"Removed user '{user.Name}' and its API keys.");
            return 0;
        });
        return command;
    }

    private static Command ChangeRole(CliConsole console, GovernanceServices governance)
    {
        Argument<string> name = NameArgument();
        Argument<UserRole> role = RoleInput.Argument("role", "The new role: user, admin or auditor.");
        var command = new Command("role", CommandHelp.Describe("Change the role of a user.", "offgrid users role bob admin", "offgrid users role bob user")) { name, role };
        command.SetAction(async (parse, cancellationToken) =>
        {
            OffGridUser user = await governance.Users.SetRoleAsync(parse.GetRequiredValue(name), parse.GetValue(role), cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"'{user.Name}' is now {user.Role.ToName()}.");
            if (user.Source == UserSource.Ldap)
            {
                console.Error.MarkupLineInterpolated($"'{user.Name}' comes from LDAP: the next sign-in sets the role from its groups again.");
            }

            return 0;
        });
        return command;
    }
}
