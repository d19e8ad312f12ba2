using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Mcp;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid mcp</c> in the real process: OffGrid as a stdio MCP server, and installing MCP servers from npm.</summary>
public sealed class McpCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task McpServeAnswersTheTypeScriptAndCSharpClientsOverStdio()
    {
        string runtime = (await OffGridCli.RuntimeAsync()).LibraryDirectory;
        string[] serve = [OffGridCli.Assembly, "mcp", "serve", $"--Server:Models:stories={TestPaths.Stories260K}", "--Server:Pool:Engine:Threads=1", "--Server:Pool:Engine:ContextSize=512"];
        var environment = new Dictionary<string, string> { ["OFFGRID_HOME"] = _cli.Home, ["OFFGRID_LLAMA_PATH"] = runtime, ["NO_COLOR"] = "1" };

        JsonElement report = await McpNpmPackages.RunClientAsync(
            new { transport = "stdio", command = OffGridCli.Host, args = serve, env = environment },
            "chat",
            new { model = "stories", prompt = "Once upon a time", maxTokens = 24, temperature = 0 },
            TimeSpan.FromMinutes(3));

        Assert.Equal("offgrid", report.GetProperty("server").GetProperty("name").GetString());
        Assert.Equal(["chat", "embed", "list_models", "show_model"], report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.False(report.GetProperty("result").TryGetProperty("isError", out JsonElement isError) && isError.GetBoolean());
        Assert.Contains("Lily", report.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        await using McpClient client = await McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions { Command = OffGridCli.Host, Arguments = serve, EnvironmentVariables = environment.ToDictionary(e => e.Key, e => (string?)e.Value) }),
            cancellationToken: Cancel);
        CallToolResult models = await client.CallToolAsync("list_models", cancellationToken: Cancel);
        CallToolResult unknown = await client.CallToolAsync("show_model", new Dictionary<string, object?> { ["model"] = "no-such-model" }, cancellationToken: Cancel);

        Assert.Contains("\"name\":\"stories\"", Assert.IsType<TextContentBlock>(Assert.Single(models.Content)).Text, StringComparison.Ordinal);
        Assert.True(unknown.IsError);
        Assert.Contains("no-such-model", Assert.IsType<TextContentBlock>(Assert.Single(unknown.Content)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APackageFileFromTheCatalogIsVerifiedInstalledUsedAndRemoved()
    {
        string tarball = McpNpmPackages.Tarball("@modelcontextprotocol/server-everything");
        string tampered = Path.Combine(_cli.Home, Path.GetFileName(tarball));
        File.Copy(tarball, tampered);
        await File.AppendAllTextAsync(tampered, "x", Cancel);

        CliResult search = await _cli.RunAsync("mcp", "search", "everything");
        string corrupt = (await _cli.RunAsync("mcp", "install", tampered)).AssertOneLineFailure();
        CliResult install = await _cli.RunAsync("mcp", "install", tarball);
        CliResult listed = await _cli.RunAsync("mcp", "list", "--json");
        CliResult echo = await _cli.RunAsync("tools", "test", "everything/echo", "--args", """{"message":"hi"}""");
        CliResult removed = await _cli.RunAsync("mcp", "remove", "everything");

        search.AssertSuccess();
        Assert.Contains($"@modelcontextprotocol/server-everything@{McpNpmPackages.ServersVersion}", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("does not match", corrupt, StringComparison.Ordinal);
        install.AssertSuccess();
        Assert.Contains("Installed everything (@modelcontextprotocol/server-everything@", install.Stderr, StringComparison.Ordinal);
        JsonElement server = Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray());
        Assert.Equal("idle", server.GetProperty("state").GetString());
        Assert.StartsWith("node " + Path.Combine(_cli.Home, "mcp"), server.GetProperty("target").GetString(), StringComparison.Ordinal);
        echo.AssertSuccess();
        Assert.Equal("Echo: hi", echo.Stdout.Trim());
        removed.AssertSuccess();
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(_cli.Home, "mcp")), d => Path.GetFileName(d).StartsWith("modelcontextprotocol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACatalogServerIsDownloadedFromTheRegistryNpmNames()
    {
        string shared = Directory.CreateDirectory(Path.Combine(_cli.Home, "shared")).FullName;

        CliResult install = await _cli.RunAsync("mcp", "install", "filesystem", shared);
        CliResult allowed = await _cli.RunAsync("tools", "test", "filesystem/list_allowed_directories");
        string missingArgument = (await _cli.RunAsync("mcp", "install", "filesystem", "--name", "files2")).AssertOneLineFailure();

        install.AssertSuccess();
        allowed.AssertSuccess();
        Assert.Contains(shared, allowed.Stdout, StringComparison.Ordinal);
        Assert.Contains("MCP server 'filesystem' needs arguments: <allowed-folder> [more folders].", missingArgument, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PluginsAreAddedDisabledEnabledAndRemoved()
    {
        string source = Directory.CreateDirectory(Path.Combine(_cli.Home, "source-plugin")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "offgrid-plugin.json"), JsonSerializer.Serialize(new
        {
            name = "demo",
            version = "1.0.0",
            description = "The reference server as a plugin.",
            mcpServer = new { command = "node", args = new[] { McpNpmPackages.Everything } },
        }), Cancel);

        (await _cli.RunAsync("plugins", "add", source)).AssertSuccess();
        CliResult echo = await _cli.RunAsync("tools", "test", "demo/echo", "--args", """{"message":"from a plugin"}""");
        (await _cli.RunAsync("plugins", "disable", "demo")).AssertSuccess();
        string disabled = (await _cli.RunAsync("tools", "test", "demo/echo", "--args", """{"message":"x"}""")).AssertOneLineFailure();
        (await _cli.RunAsync("plugins", "enable", "demo")).AssertSuccess();
        CliResult listed = await _cli.RunAsync("tools", "list", "--json");
        (await _cli.RunAsync("plugins", "remove", "demo")).AssertSuccess();
        string gone = (await _cli.RunAsync("plugins", "remove", "demo")).AssertOneLineFailure();

        echo.AssertSuccess();
        Assert.Equal("Echo: from a plugin", echo.Stdout.Trim());
        Assert.Contains("No MCP server is named 'demo'", disabled, StringComparison.Ordinal);
        Assert.Equal("plugin", Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()).GetProperty("kind").GetString());
        Assert.Contains("No plugin is named 'demo'", gone, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
