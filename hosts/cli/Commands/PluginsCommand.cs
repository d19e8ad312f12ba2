using System.CommandLine;
using OffGrid.Agents.Plugins;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid plugins list|add|enable|disable|remove</c>: folders whose manifest declares an MCP stdio server.</summary>
internal sealed class PluginsCommand : Command
{
    /// <summary>Creates <c>offgrid plugins</c> and its subcommands.</summary>
    public PluginsCommand(CliConsole console, AgentServices agents)
        : base("plugins", $"Plugins: folders in $OFFGRID_HOME/plugins whose {PluginManifest.FileName} declares an MCP stdio server (any language). An enabled plugin is a tool set named after it.")
    {
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var list = new Command("list", CommandHelp.Describe("List the installed plugins.", "offgrid plugins list")) { json };
        list.Aliases.Add("ls");
        list.SetAction(parse =>
        {
            IReadOnlyList<PluginInfo> plugins = agents.Toolbox.Plugins.List();
            if (parse.GetValue(json))
            {
                console.WriteJson(plugins);
                return 0;
            }

            if (plugins.Count == 0)
            {
                console.Out.MarkupLineInterpolated($"No plugins in {agents.Toolbox.Plugins.Directory}. Add one with 'offgrid plugins add <folder>'.");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Version").AddColumn("Enabled").AddColumn("Description");
            foreach (PluginInfo plugin in plugins)
            {
                table.AddRow(Markup.Escape(plugin.Name), Markup.Escape(plugin.Version ?? "-"), plugin.Enabled ? "yes" : "no", plugin.Error is { } error ? $"[red]{Markup.Escape(error)}[/]" : Markup.Escape(plugin.Description ?? string.Empty));
            }

            console.Out.Write(table);
            return 0;
        });
        Add(list);

        var folder = new Argument<string>("folder") { Description = $"A folder with a {PluginManifest.FileName}." }.RejectingOptions();
        var add = new Command("add", CommandHelp.Describe("Copy a plugin into $OFFGRID_HOME/plugins, enabled.", "offgrid plugins add ./my-plugin")) { folder };
        add.SetAction(parse =>
        {
            PluginInfo plugin = agents.Toolbox.Plugins.Add(parse.GetRequiredValue(folder));
            console.Error.MarkupLineInterpolated($"Added plugin [bold]{plugin.Name}[/] ({plugin.Directory}).");
            return 0;
        });
        Add(add);

        Add(NameCommand("enable", "Offer the plugin's tools again.", (store, name) => store.SetEnabled(name, enabled: true), "Enabled", console, agents));
        Add(NameCommand("disable", "Keep the plugin installed but do not offer its tools.", (store, name) => store.SetEnabled(name, enabled: false), "Disabled", console, agents));
        Command remove = NameCommand("remove", "Delete the plugin and its folder.", (store, name) => store.Remove(name), "Removed", console, agents);
        remove.Aliases.Add("rm");
        Add(remove);
    }

    private static Command NameCommand(string verb, string summary, Action<PluginStore, string> act, string done, CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "The plugin's name." }.RejectingOptions();
        var command = new Command(verb, CommandHelp.Describe(summary, $"offgrid plugins {verb} notes")) { name };
        command.SetAction(parse =>
        {
            act(agents.Toolbox.Plugins, parse.GetRequiredValue(name));
            console.Error.MarkupLineInterpolated($"{done} plugin {parse.GetRequiredValue(name)}.");
            return 0;
        });
        return command;
    }
}
