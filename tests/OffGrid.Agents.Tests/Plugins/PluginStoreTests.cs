using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Agents.Mcp;
using OffGrid.Agents.Plugins;
using OffGrid.Testing;
using OffGrid.Testing.Mcp;

namespace OffGrid.Agents.Tests.Plugins;

public sealed class PluginStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APluginFolderRunsItsServerFromItsOwnFolder()
    {
        using var home = new AgentsHome();
        string source = WritePlugin("demo", command: "./run.sh", script: $"#!/bin/sh\nexec node '{McpNpmPackages.Everything}'\n");
        await using var toolbox = new Toolbox(home.Options);

        PluginInfo added = toolbox.Plugins.Add(source);
        AIFunction echo = (await toolbox.McpServers.GetToolsAsync("demo", Cancel)).Single(t => t.Name == "echo");

        Assert.Equal(new PluginInfo("demo", "1.0.0", "The reference server as a plugin.", true, Path.Combine(home.Options.PluginsDirectory, "demo"), null), added);
        Assert.Equal("Echo: plugged in", await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "plugged in" }, Cancel));
        McpServerStatus status = Assert.Single(toolbox.McpServers.GetStatus());
        Assert.Equal(ToolSetKind.Plugin, status.Kind);
        Assert.Equal(Path.Combine(home.Options.PluginsDirectory, "demo", "run.sh"), status.Target);
        Assert.Contains(toolbox.List(), t => t.Name == "demo" && t.Kind == ToolSetKind.Plugin);
    }

    [Fact]
    public async Task DisabledPluginsOfferNothingUntilEnabledAndRemovedOnesAreGone()
    {
        using var home = new AgentsHome();
        await using var toolbox = new Toolbox(home.Options);
        toolbox.Plugins.Add(WritePlugin("demo", command: "node", args: [McpNpmPackages.Everything]));

        toolbox.Plugins.SetEnabled("demo", enabled: false);
        Assert.False(Assert.Single(toolbox.Plugins.List()).Enabled);
        await Assert.ThrowsAsync<ToolNotFoundException>(() => toolbox.GetToolsAsync(["demo"], Cancel));

        toolbox.Plugins.SetEnabled("demo", enabled: true);
        Assert.NotEmpty(await toolbox.GetToolsAsync(["demo"], Cancel));

        toolbox.Plugins.Remove("demo");
        Assert.Empty(toolbox.Plugins.List());
        Assert.Equal("No plugin is named 'demo'. None is installed.", Assert.Throws<ToolNotFoundException>(() => toolbox.Plugins.Remove("demo")).Message);
        Assert.Throws<ToolNotFoundException>(() => toolbox.Plugins.SetEnabled("../plugins", enabled: true));
    }

    [Fact]
    public async Task AnMcpJsonEntryOfTheSameNameWins()
    {
        using var home = new AgentsHome();
        await using var toolbox = new Toolbox(home.Options);
        toolbox.Plugins.Add(WritePlugin("demo", command: "node", args: [McpNpmPackages.Everything]));
        home.WriteMcpJson(new Dictionary<string, object> { ["demo"] = new { command = "node", args = new[] { McpNpmPackages.Filesystem, home.Directory } } });

        IReadOnlyList<AIFunction> tools = await toolbox.McpServers.GetToolsAsync("demo", Cancel);

        Assert.Contains(tools, t => t.Name == "read_text_file");
        Assert.Equal(ToolSetKind.Mcp, Assert.Single(toolbox.McpServers.GetStatus()).Kind);
    }

    [Theory]
    [InlineData("""{"version":"1"}""", "'name' must be 1 to 64 letters")]
    [InlineData("""{"name":"demo"}""", "'mcpServer' must declare the MCP stdio server")]
    [InlineData("""{"name":"demo","mcpServer":{"url":"http://127.0.0.1:9/mcp"}}""", "a plugin's MCP server runs over stdio")]
    [InlineData("""{"name":"demo","mcpServer":{"command":""}}""", "needs a 'command'")]
    [InlineData("""{"name":"demo","mcpServer":""", "is not a valid plugin manifest")]
    public void InvalidManifestsAreRefusedAndListedWithTheirError(string manifest, string message)
    {
        using var home = new AgentsHome();
        string folder = TestPaths.NewTempDir("offgrid-plugin");
        File.WriteAllText(Path.Combine(folder, PluginManifest.FileName), manifest);
        var store = new PluginStore(home.Options.PluginsDirectory);

        Assert.Contains(message, Assert.Throws<ToolDefinitionException>(() => store.Add(folder)).Message, StringComparison.Ordinal);
        Directory.CreateDirectory(home.Options.PluginsDirectory);
        Directory.Move(folder, Path.Combine(home.Options.PluginsDirectory, "demo"));
        Assert.Contains(message, Assert.Single(store.List()).Error, StringComparison.Ordinal);
        Assert.Contains("has no offgrid-plugin.json", Assert.Throws<ToolDefinitionException>(() => store.Add(home.Directory)).Message, StringComparison.Ordinal);
    }

    private static string WritePlugin(string name, string command, string[]? args = null, string? script = null)
    {
        string folder = TestPaths.NewTempDir("offgrid-plugin");
        File.WriteAllText(Path.Combine(folder, PluginManifest.FileName), JsonSerializer.Serialize(new
        {
            name,
            version = "1.0.0",
            description = "The reference server as a plugin.",
            mcpServer = new { command, args = args ?? [] },
        }));
        if (script is not null)
        {
            string path = Path.Combine(folder, "run.sh");
            File.WriteAllText(path, script);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return folder;
    }
}
