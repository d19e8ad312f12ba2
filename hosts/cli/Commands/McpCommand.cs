using System.CommandLine;
using OffGrid.Agents.Catalog;
using OffGrid.Agents.Mcp;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid mcp</c>: OffGrid as an MCP server (<c>serve</c>), and the MCP servers it uses as a client: the catalog
/// (<c>search</c>, <c>catalog refresh</c>), verified installs from npm (<c>install</c>), <c>list</c>, <c>show</c>, <c>remove</c>.
/// </summary>
internal sealed class McpCommand : Command
{
    /// <summary>Creates <c>offgrid mcp</c> and its subcommands.</summary>
    public McpCommand(CliConsole console, AgentServices agents)
        : base("mcp", "Model Context Protocol: serve OffGrid's tools to MCP clients, and install and manage the MCP servers local models use (mcp.json).")
    {
        Add(new McpServeCommand(console));
        Add(Search(console, agents));
        Add(Install(console, agents));
        Add(List(console, agents));
        Add(Show(console, agents));
        Add(Remove(console, agents));
        Add(Catalog(console, agents));
    }

    private static Command Search(CliConsole console, AgentServices agents)
    {
        var query = new Argument<string[]>("query") { Description = "Words to look for in names and descriptions.", Arity = ArgumentArity.ZeroOrMore }.RejectingOptions();
        var json = new Option<bool>("--json") { Description = "Write the results as JSON." };
        var command = new Command("search", CommandHelp.Describe("Search the MCP server catalog (shipped with OffGrid, or refreshed).", "offgrid mcp search", "offgrid mcp search files")) { query, json };
        command.SetAction(parse =>
        {
            McpCatalog catalog = McpCatalog.Load(agents.Options);
            IReadOnlyList<McpCatalogEntry> found = catalog.Search(string.Join(' ', parse.GetValue(query) ?? []));
            if (parse.GetValue(json))
            {
                console.WriteJson(found.Select(e => new { e.Name, e.Package, e.Version, e.Integrity, e.Description, e.Usage, RequiredEnv = e.RequiredEnv.Select(v => v.Name), ExampleConfig = e.ExampleConfig }));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Package").AddColumn("Description").AddColumn("Install");
            foreach (McpCatalogEntry entry in found)
            {
                table.AddRow(
                    Markup.Escape(entry.Name),
                    Markup.Escape($"{entry.Package}@{entry.Version}"),
                    Markup.Escape(entry.Description ?? string.Empty),
                    Markup.Escape($"offgrid mcp install {entry.Name}{(entry.Usage is { } usage ? " " + usage : string.Empty)}"));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Install(CliConsole console, AgentServices agents)
    {
        var source = new Argument<string>("package") { Description = "A catalog name (filesystem), an npm package with its version (@scope/server@1.2.3), or a local .tgz." };
        var arguments = new Argument<string[]>("args") { Description = "The server's arguments (put them after -- when they start with -).", Arity = ArgumentArity.ZeroOrMore };
        var name = new Option<string?>("--name") { Description = "Its name in mcp.json (default: the catalog name, or the package's)." };
        var env = new Option<string[]>("--env") { Description = "An environment value for the server, NAME=value (repeatable)." };
        env.Validators.Add(result =>
        {
            foreach (string value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--env '{value}' must be NAME=value.");
                }
            }
        });
        var integrity = new Option<string?>("--integrity") { Description = "The tarball's sha512 integrity, for a package or file that is not in the catalog." };
        var offline = new Option<bool>("--offline") { Description = "Install the package's dependencies from npm's local cache only." };
        var replace = new Option<bool>("--replace") { Description = "Replace an mcp.json entry of the same name." };
        var command = new Command("install", CommandHelp.Describe(
            "Install an MCP server: download its npm package from the registry your npm configuration names (or use a local .tgz), verify its integrity, extract it under $OFFGRID_HOME/mcp, and add it to mcp.json.",
            "offgrid mcp install filesystem ~/Documents",
            "offgrid mcp install memory --env MEMORY_FILE_PATH=/srv/memory.json",
            "offgrid mcp install ./server-filesystem-2026.8.31.tgz /srv/shared --offline")) { source, arguments, name, env, integrity, offline, replace };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new McpInstallRequest
            {
                Source = parse.GetRequiredValue(source),
                Name = parse.GetValue(name),
                Integrity = parse.GetValue(integrity),
                Offline = parse.GetValue(offline),
                Replace = parse.GetValue(replace),
            };
            foreach (string argument in parse.GetValue(arguments) ?? [])
            {
                request.Args.Add(argument);
            }

            foreach (string pair in parse.GetValue(env) ?? [])
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                request.Env[pair[..equals]] = pair[(equals + 1)..];
            }

            var installer = new McpPackageInstaller(agents.Options);
            McpInstallResult result = await TransferProgress.RunAsync(console.Error, $"Downloading {request.Source}", progress => installer.InstallAsync(request, progress, cancellationToken)).ConfigureAwait(false);
            console.Error.MarkupLineInterpolated($"Installed [bold]{result.Name}[/] ({result.Package.Name}@{result.Package.Version}, {result.Package.Integrity}) in {result.Directory}.");
            foreach (string missing in result.MissingEnv)
            {
                console.Error.MarkupLineInterpolated($"[yellow]Set {missing} before using it: mcp.json reads it from the environment as ${{{missing}}}.[/]");
            }

            console.Error.MarkupLineInterpolated($"Use it: offgrid run <model> --tools {result.Name}");
            return 0;
        });
        return command;
    }

    private static Command List(CliConsole console, AgentServices agents)
    {
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the MCP servers in mcp.json and the enabled plugins, without starting them.", "offgrid mcp list")) { json };
        command.Aliases.Add("ls");
        command.SetAction(parse =>
        {
            IReadOnlyList<McpServerStatus> servers = agents.Toolbox.McpServers.GetStatus();
            if (parse.GetValue(json))
            {
                console.WriteJson(servers);
                return 0;
            }

            if (servers.Count == 0)
            {
                console.Out.MarkupLineInterpolated($"No MCP servers in {agents.Options.McpConfigPath}. Find one with 'offgrid mcp search'.");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Kind").AddColumn("Transport").AddColumn("State").AddColumn("Command or URL");
            foreach (McpServerStatus server in servers)
            {
                table.AddRow(Markup.Escape(server.Name), server.Kind.ToString().ToLowerInvariant(), server.Transport.ToString().ToLowerInvariant(), server.State.ToString().ToLowerInvariant(), Markup.Escape(server.Target));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show(CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "The server's name." }.RejectingOptions();
        var json = new Option<bool>("--json") { Description = "Write the description as JSON." };
        var command = new Command("show", CommandHelp.Describe("Start an MCP server and list its tools, prompts and resources.", "offgrid mcp show filesystem")) { name, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            McpServerDescription server = await agents.Toolbox.McpServers.DescribeAsync(parse.GetRequiredValue(name), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(server);
                return 0;
            }

            console.Out.MarkupLineInterpolated($"[bold]{server.Name}[/] ({server.ServerName})");
            var tools = new Table().Border(TableBorder.Rounded).AddColumn("Tool").AddColumn("Approval").AddColumn("Description");
            foreach (McpToolInfo tool in server.Tools)
            {
                tools.AddRow(Markup.Escape(tool.Name), tool.RequiresApproval ? "asks" : "-", Markup.Escape(tool.Description ?? string.Empty));
            }

            console.Out.Write(tools);
            console.Out.MarkupLineInterpolated($"Prompts: {(server.Prompts.Count == 0 ? "none" : string.Join(", ", server.Prompts.Select(p => p.Name)))}");
            console.Out.MarkupLineInterpolated($"Resources: {(server.Resources.Count == 0 ? "none" : string.Join(", ", server.Resources.Select(r => r.Uri)))}");
            return 0;
        });
        return command;
    }

    private static Command Remove(CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "The server's name in mcp.json." }.RejectingOptions();
        var command = new Command("remove", CommandHelp.Describe("Remove an MCP server from mcp.json, and its package when OffGrid installed it.", "offgrid mcp remove filesystem")) { name };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await new McpPackageInstaller(agents.Options).RemoveAsync(parse.GetRequiredValue(name), cancellationToken).ConfigureAwait(false);
            console.Error.MarkupLineInterpolated($"Removed {parse.GetRequiredValue(name)}.");
            return 0;
        });
        return command;
    }

    private static Command Catalog(CliConsole console, AgentServices agents)
    {
        var from = new Option<string>("--from") { Description = "A catalog file or http(s) URL.", Required = true };
        var refresh = new Command("refresh", CommandHelp.Describe(
            "Replace the MCP catalog with one from a file or URL (checked first; stored as $OFFGRID_HOME/mcp-catalog.json).",
            "offgrid mcp catalog refresh --from ./vetted-mcp-servers.json",
            "offgrid mcp catalog refresh --from https://intranet.example/mcp-catalog.json")) { from };
        refresh.SetAction(async (parse, cancellationToken) =>
        {
            McpCatalog catalog = await McpCatalog.RefreshAsync(parse.GetRequiredValue(from), agents.Options, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.Error.MarkupLineInterpolated($"The MCP catalog now lists {catalog.Servers.Count} servers ({catalog.Source}).");
            return 0;
        });
        return new Command("catalog", "The MCP server catalog.") { refresh };
    }
}
