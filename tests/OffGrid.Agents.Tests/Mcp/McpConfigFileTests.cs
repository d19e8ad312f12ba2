using System.Text.Json.Nodes;
using OffGrid.Agents.Mcp;

namespace OffGrid.Agents.Tests.Mcp;

public sealed class McpConfigFileTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void ReadsTheCommonShape()
    {
        using var home = new AgentsHome();
        File.WriteAllText(home.Options.McpConfigPath, """
            {
              // comments and trailing commas, as editors write them
              "mcpServers": {
                "filesystem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv"], "env": { "A": "1" }, },
                "remote": { "type": "http", "url": "https://mcp.example/mcp", "headers": { "Authorization": "Bearer ${TOKEN}" }, "timeout": 20, "requireApproval": ["delete"] },
                "off": { "command": "x", "disabled": true }
              }
            }
            """);

        IReadOnlyDictionary<string, McpServerConfig> servers = new McpConfigFile(home.Options.McpConfigPath).Read();

        Assert.Equal(["filesystem", "remote", "off"], servers.Keys);
        Assert.Equal(McpTransportKind.Stdio, servers["filesystem"].Transport);
        Assert.Equal(["-y", "@modelcontextprotocol/server-filesystem", "/srv"], servers["filesystem"].Args);
        Assert.Equal("1", servers["filesystem"].Env["A"]);
        Assert.Equal(McpTransportKind.Http, servers["remote"].Transport);
        Assert.Equal("Bearer ${TOKEN}", servers["remote"].Headers["Authorization"]);
        Assert.Equal(20, servers["remote"].Timeout);
        Assert.True(servers["remote"].RequireApproval!.Requires("delete"));
        Assert.False(servers["remote"].RequireApproval!.Requires("list"));
        Assert.True(servers["off"].Disabled);
    }

    [Theory]
    [InlineData("{ \"mcpServers\": { \"a\": { } } }", "MCP server 'a' needs a 'command' (stdio) or a 'url' (Streamable HTTP).")]
    [InlineData("{ \"mcpServers\": { \"a\": { \"command\": \"x\", \"url\": \"http://h/mcp\" } } }", "MCP server 'a' has both 'url' and 'command'; keep one.")]
    [InlineData("{ \"mcpServers\": { \"a\": { \"url\": \"ftp://h/mcp\" } } }", "MCP server 'a': 'url' must be an absolute http or https address.")]
    [InlineData("{ \"mcpServers\": { \"a b\": { \"command\": \"x\" } } }", "MCP server name 'a b' must be 1 to 64 letters, digits, '.', '_' or '-'.")]
    [InlineData("{ \"mcpServers\": { \"a\": { \"command\": \"x\", \"timeout\": 0 } } }", "MCP server 'a': 'timeout' must be a positive number of seconds.")]
    [InlineData("{ \"mcpServers\": { \"a\": { \"command\": \"x\", \"requireApproval\": \"yes\" } } }", "'requireApproval' must be true, false or a list of tool names.")]
    [InlineData("{ \"mcpServers\": [] }", "'mcpServers' must be an object of named servers.")]
    [InlineData("{ \"mcpServers\": ", "is not valid JSON")]
    public void InvalidFilesGiveAClearError(string json, string expected)
    {
        using var home = new AgentsHome();
        File.WriteAllText(home.Options.McpConfigPath, json);

        var error = Assert.Throws<ToolDefinitionException>(() => new McpConfigFile(home.Options.McpConfigPath).Read());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditsKeepWhatOffGridDoesNotKnow()
    {
        using var home = new AgentsHome();
        File.WriteAllText(home.Options.McpConfigPath, """{ "mcpServers": { "keep": { "command": "x", "someClientSetting": 5 } }, "otherClient": { "theme": "dark" } }""");
        var file = new McpConfigFile(home.Options.McpConfigPath);

        await file.SetServerAsync("added", new McpServerConfig { Command = "node", Args = ["server.js"] }, Cancel);
        Assert.True(await file.RemoveServerAsync("keep", Cancel) is true);
        await file.SetServerAsync("keep", new McpServerConfig { Url = new Uri("http://127.0.0.1:9/mcp") }, Cancel);

        JsonNode root = JsonNode.Parse(File.ReadAllText(home.Options.McpConfigPath))!;
        Assert.Equal("dark", root["otherClient"]!["theme"]!.GetValue<string>());
        Assert.Equal("node", root["mcpServers"]!["added"]!["command"]!.GetValue<string>());
        Assert.Equal(["added", "keep"], file.Read().Keys);
        Assert.False(await file.RemoveServerAsync("never-there", Cancel));
    }
}
