using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using OffGrid.Agents.Mcp;
using OffGrid.Agents.Plugins;
using OffGrid.Testing.Mcp;

namespace OffGrid.Agents.Tests.Mcp;

/// <summary>OffGrid as an MCP client of real servers from npm, started over stdio from mcp.json.</summary>
public sealed class McpServersTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToolsOfARealServerBecomeFunctionsThatCallIt()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["everything"] = new { command = "node", args = new[] { McpNpmPackages.Everything } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        IReadOnlyList<AIFunction> tools = await servers.GetToolsAsync("everything", Cancel);

        AIFunction echo = Assert.Single(tools, t => t.Name == "echo");
        Assert.NotNull(echo.GetService<McpClientTool>());
        Assert.Contains("message", echo.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Echo: hello from OffGrid", await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "hello from OffGrid" }, Cancel));
        McpServerStatus status = Assert.Single(servers.GetStatus());
        Assert.Equal(McpServerState.Running, status.State);
        Assert.Equal(tools.Count, status.ToolCount);
    }

    [Fact]
    public async Task PromptsAndResourcesAreListed()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["everything"] = new { command = "node", args = new[] { McpNpmPackages.Everything } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        McpServerDescription description = await servers.DescribeAsync("everything", Cancel);

        Assert.Contains("everything", description.ServerName, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(description.Tools, t => t.Name == "get-sum");
        Assert.NotEmpty(description.Prompts);
        Assert.NotEmpty(description.Resources);
        Assert.All(description.Resources, r => Assert.False(string.IsNullOrEmpty(r.Uri)));
    }

    [Fact]
    public async Task EnvironmentValuesNameVariablesOfOffGrid()
    {
        using var home = new AgentsHome();
        string secret = "token-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("OFFGRID_TEST_MCP_SECRET", secret);
        home.WriteMcpJson(new Dictionary<string, object>
        {
            ["everything"] = new { command = "node", args = new[] { McpNpmPackages.Everything }, env = new Dictionary<string, string> { ["API_TOKEN"] = "${OFFGRID_TEST_MCP_SECRET}" } },
        });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        AIFunction getEnv = (await servers.GetToolsAsync("everything", Cancel)).Single(t => t.Name == "get-env");
        string environment = (string)(await getEnv.InvokeAsync(new AIFunctionArguments(), Cancel))!;

        Assert.Equal(secret, JsonDocument.Parse(environment).RootElement.GetProperty("API_TOKEN").GetString());
    }

    [Fact]
    public async Task DestructiveToolsNeedApprovalUnlessConfiguredOtherwise()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object>
        {
            ["files"] = new { command = "node", args = new[] { McpNpmPackages.Filesystem, home.Directory } },
            ["trusted"] = new { command = "node", args = new[] { McpNpmPackages.Filesystem, home.Directory }, requireApproval = false },
            ["careful"] = new { command = "node", args = new[] { McpNpmPackages.Filesystem, home.Directory }, requireApproval = new[] { "read_text_file" } },
        });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        IReadOnlyList<AIFunction> files = await servers.GetToolsAsync("files", Cancel);
        Assert.IsType<ApprovalRequiredAIFunction>(files.Single(t => t.Name == "write_file"), exactMatch: false);
        Assert.IsNotType<ApprovalRequiredAIFunction>(files.Single(t => t.Name == "read_text_file"), exactMatch: false);
        Assert.DoesNotContain(await servers.GetToolsAsync("trusted", Cancel), t => t is ApprovalRequiredAIFunction);
        Assert.Equal(["read_text_file"], (await servers.GetToolsAsync("careful", Cancel)).OfType<ApprovalRequiredAIFunction>().Select(t => t.Name));
    }

    [Fact]
    public async Task NarrowedArgumentsAreInTheSchemaAndCheckedBeforeEachCall()
    {
        using var home = new AgentsHome();
        string file = Path.Combine(home.Directory, "handbook.md");
        await File.WriteAllTextAsync(file, "Rule 1: keep the pump dry.", Cancel);
        home.WriteMcpJson(new Dictionary<string, object>
        {
            ["files"] = new
            {
                command = "node",
                args = new[] { McpNpmPackages.Filesystem, home.Directory },
                toolArguments = new Dictionary<string, object> { ["read_text_file"] = new Dictionary<string, object> { ["path"] = new { type = "string", @enum = new[] { file } } } },
            },
        });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));
        AIFunction read = (await servers.GetToolsAsync("files", Cancel)).Single(t => t.Name == "read_text_file");

        Assert.Equal(file, read.JsonSchema.GetProperty("properties").GetProperty("path").GetProperty("enum")[0].GetString());
        Assert.Equal("Rule 1: keep the pump dry.", await read.InvokeAsync(new AIFunctionArguments { ["path"] = file }, Cancel));
        var refused = await Assert.ThrowsAsync<ToolInvocationException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["path"] = "/etc/passwd" }, Cancel));
        Assert.Contains("may not be called with path", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatNeverAnswersIsNamedInAClearError()
    {
        using var home = new AgentsHome();
        home.Options.StartTimeout = TimeSpan.FromSeconds(2);
        home.WriteMcpJson(new Dictionary<string, object> { ["sleepy"] = new { command = "sleep", args = new[] { "30" } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        var error = await Assert.ThrowsAsync<McpServerException>(() => servers.GetToolsAsync("sleepy", Cancel));

        Assert.Equal("sleepy", error.ServerName);
        Assert.StartsWith("MCP server 'sleepy' did not start within 2 s (sleep 30).", error.Message, StringComparison.Ordinal);
        McpServerStatus status = Assert.Single(servers.GetStatus());
        Assert.Equal(McpServerState.Failed, status.State);
        Assert.Equal(error.Message, status.Error);
    }

    [Fact]
    public async Task AMissingProgramIsNamedInAClearError()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["ghost"] = new { command = "offgrid-no-such-program", args = new[] { "--stdio" } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        var error = await Assert.ThrowsAsync<McpServerException>(() => servers.GetToolsAsync("ghost", Cancel));

        Assert.StartsWith("MCP server 'ghost' did not start (offgrid-no-such-program --stdio)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatExitsAtStartReportsItsOutput()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["broken"] = new { command = "node", args = new[] { "-e", "console.error('missing API key'); process.exit(3)" } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));

        var error = await Assert.ThrowsAsync<McpServerException>(() => servers.GetToolsAsync("broken", Cancel));

        Assert.Contains("MCP server 'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoppedServerIsRestartedOnceAndThenReported()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["flaky"] = new { command = "node", args = new[] { McpNpmPackages.Script("tests/OffGrid.Agents.Tests/Mcp/flaky-server.mjs") } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));
        IReadOnlyList<AIFunction> tools = await servers.GetToolsAsync("flaky", Cancel);
        AIFunction ping = tools.Single(t => t.Name == "ping");
        AIFunction exitSoon = tools.Single(t => t.Name == "exit_soon");

        string first = (string)(await ping.InvokeAsync(new AIFunctionArguments(), Cancel))!;
        Assert.Equal("bye", await exitSoon.InvokeAsync(new AIFunctionArguments(), Cancel));
        await Task.Delay(500, Cancel);
        string second = (string)(await ping.InvokeAsync(new AIFunctionArguments(), Cancel))!;

        Assert.StartsWith("pong ", second, StringComparison.Ordinal);
        Assert.NotEqual(first, second); // another process answered
        Assert.Equal(1, Assert.Single(servers.GetStatus()).Restarts);

        Assert.Equal("bye", await exitSoon.InvokeAsync(new AIFunctionArguments(), Cancel));
        await Task.Delay(500, Cancel);
        var error = await Assert.ThrowsAsync<McpServerException>(async () => await ping.InvokeAsync(new AIFunctionArguments(), Cancel));
        Assert.StartsWith("MCP server 'flaky' stopped again after a restart (exit code 7)", error.Message, StringComparison.Ordinal);
        Assert.Equal(McpServerState.Failed, Assert.Single(servers.GetStatus()).State);
    }

    [Fact]
    public async Task ACallPastTheServersTimeoutFails()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["flaky"] = new { command = "node", args = new[] { McpNpmPackages.Script("tests/OffGrid.Agents.Tests/Mcp/flaky-server.mjs") }, timeout = 1 } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));
        IReadOnlyList<AIFunction> tools = await servers.GetToolsAsync("flaky", Cancel);

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await tools.Single(t => t.Name == "hang").InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Equal("Tool 'hang' of MCP server 'flaky' did not answer within 1 s.", error.Message);
        Assert.StartsWith("pong", (string)(await tools.Single(t => t.Name == "ping").InvokeAsync(new AIFunctionArguments(), Cancel))!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedEntryRestartsTheServerWithTheNewSettingsAndARemovedOneStopsIt()
    {
        using var home = new AgentsHome();
        home.WriteMcpJson(new Dictionary<string, object> { ["flaky"] = new { command = "node", args = new[] { McpNpmPackages.Script("tests/OffGrid.Agents.Tests/Mcp/flaky-server.mjs") } } });
        await using var servers = new McpServers(home.Options, new PluginStore(home.Options.PluginsDirectory));
        string before = (string)(await (await servers.GetToolsAsync("flaky", Cancel)).Single(t => t.Name == "ping").InvokeAsync(new AIFunctionArguments(), Cancel))!;

        home.WriteMcpJson(new Dictionary<string, object> { ["flaky"] = new { command = "node", args = new[] { McpNpmPackages.Script("tests/OffGrid.Agents.Tests/Mcp/flaky-server.mjs") }, timeout = 5 } });
        string after = (string)(await (await servers.GetToolsAsync("flaky", Cancel)).Single(t => t.Name == "ping").InvokeAsync(new AIFunctionArguments(), Cancel))!;
        Assert.NotEqual(before, after);

        home.WriteMcpJson(new Dictionary<string, object>());
        Assert.Empty(servers.GetStatus());
        var unknown = await Assert.ThrowsAsync<ToolNotFoundException>(() => servers.GetToolsAsync("flaky", Cancel));
        Assert.Contains("No MCP server is named 'flaky'", unknown.Message, StringComparison.Ordinal);
    }
}
