using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Agents;
using OffGrid.Agents.Tools;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid tools list|add|remove|test</c>: the tools a model can be given with <c>offgrid run --tools</c>.</summary>
internal sealed class ToolsCommand : Command
{
    /// <summary>Creates <c>offgrid tools</c> and its subcommands.</summary>
    public ToolsCommand(CliConsole console, AgentServices agents)
        : base("tools", "Tools for local models: MCP servers (mcp.json), plugins, and custom shell and HTTP tools ($OFFGRID_HOME/tools).")
    {
        Add(List(console, agents));
        Add(AddTool(console, agents));
        Add(Remove(console, agents));
        Add(Test(console, agents));
    }

    private static Command List(CliConsole console, AgentServices agents)
    {
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var command = new Command("list", CommandHelp.Describe("List every name 'offgrid run --tools' accepts.", "offgrid tools list", "offgrid tools list --json")) { json };
        command.Aliases.Add("ls");
        command.SetAction(parse =>
        {
            IReadOnlyList<ToolSetInfo> tools = agents.Toolbox.List();
            if (parse.GetValue(json))
            {
                console.WriteJson(tools);
                return 0;
            }

            if (tools.Count == 0)
            {
                console.Out.MarkupLineInterpolated($"No tools yet. Add an MCP server ('offgrid mcp install filesystem <folder>') or a tool definition ('offgrid tools add tool.json').");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Kind").AddColumn("Description");
            foreach (ToolSetInfo tool in tools)
            {
                table.AddRow(Markup.Escape(tool.Name), tool.Kind.ToString().ToLowerInvariant(), tool.Error is { } error ? $"[red]{Markup.Escape(error)}[/]" : Markup.Escape(tool.Description ?? string.Empty));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command AddTool(CliConsole console, AgentServices agents)
    {
        var file = new Argument<string>("file") { Description = "A tool definition (JSON): name, description, parameters, and 'shell' or 'http'." }.RejectingOptions();
        var replace = new Option<bool>("--replace") { Description = "Replace a tool of the same name." };
        var command = new Command("add", CommandHelp.Describe(
            "Check a custom tool definition and add it to $OFFGRID_HOME/tools. Shell tools run only programs allowed by OFFGRID_Agents__Shell__AllowedExecutables__N.",
            "offgrid tools add weather.json",
            "offgrid tools add grep-notes.json --replace")) { file, replace };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetRequiredValue(file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The tool definition '{path}' does not exist.");
            }

            ToolDefinition definition = ToolDefinition.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            string saved = await agents.Toolbox.Definitions.SaveAsync(definition, parse.GetValue(replace), cancellationToken).ConfigureAwait(false);
            console.Error.MarkupLineInterpolated($"Added {definition.Kind.ToString().ToLowerInvariant()} tool [bold]{definition.Name}[/] ({saved}).");
            return 0;
        });
        return command;
    }

    private static Command Remove(CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "The custom tool's name." }.RejectingOptions();
        var command = new Command("remove", CommandHelp.Describe("Remove a custom tool.", "offgrid tools remove weather")) { name };
        command.Aliases.Add("rm");
        command.SetAction(parse =>
        {
            agents.Toolbox.Definitions.Remove(parse.GetRequiredValue(name));
            console.Error.MarkupLineInterpolated($"Removed {parse.GetRequiredValue(name)}.");
            return 0;
        });
        return command;
    }

    private static Command Test(CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "A custom tool, or an MCP server's tool as server/tool." }.RejectingOptions();
        var arguments = new Option<string?>("--args") { Description = "The call's arguments as a JSON object." };
        arguments.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !IsJsonObject(text))
            {
                result.AddError("--args must be a JSON object, for example '{\"city\":\"Oslo\"}'.");
            }
        });
        var command = new Command("test", CommandHelp.Describe(
            "Call a tool once, as a model would, and print its result (or why it failed). No approval is asked: you are running it yourself.",
            "offgrid tools test weather --args '{\"city\":\"Oslo\"}'",
            "offgrid tools test filesystem/list_allowed_directories")) { name, arguments };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string target = parse.GetRequiredValue(name);
            AIFunction tool = await FindAsync(agents.Toolbox, target, cancellationToken).ConfigureAwait(false);
            var values = new AIFunctionArguments();
            if (parse.GetValue(arguments) is { } text)
            {
                foreach (JsonProperty property in JsonDocument.Parse(text).RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.Clone();
                }
            }

            object? result = await tool.InvokeAsync(values, cancellationToken).ConfigureAwait(false);
            await console.Text.WriteLineAsync(result?.ToString() ?? "null").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task<AIFunction> FindAsync(Toolbox toolbox, string target, CancellationToken cancellationToken)
    {
        int slash = target.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? toolbox.CreateTool(toolbox.Definitions.Get(target))
            : await toolbox.GetServerToolAsync(target[..slash], target[(slash + 1)..], cancellationToken).ConfigureAwait(false);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
