using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OffGrid.Testing.Mcp;

namespace OffGrid.Server.Tests.Mcp;

/// <summary>OffGrid's tools at <c>/mcp</c> (Streamable HTTP) for the official TypeScript SDK client and the C# client.</summary>
public sealed class McpEndpointTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public McpEndpointTests(ServerFixture server)
    {
        _server = server;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheTypeScriptClientListsAndCallsOffGridsTools()
    {
        JsonElement report = await McpNpmPackages.RunClientAsync(
            new { transport = "http", url = new Uri(_server.BaseUri, "/mcp").AbsoluteUri },
            "list_models",
            new { },
            TimeSpan.FromMinutes(2));

        Assert.Equal("offgrid", report.GetProperty("server").GetProperty("name").GetString());
        Assert.Equal(["chat", "embed", "list_models", "show_model"], report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).Order());
        string models = report.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains("\"name\":\"stories\"", models, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCSharpClientChatsAndEmbedsThroughTheModelsPipelines()
    {
        await using McpClient client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(_server.BaseUri, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
            cancellationToken: Token);

        CallToolResult chat = await client.CallToolAsync("chat", new Dictionary<string, object?> { ["model"] = "stories", ["prompt"] = "Once upon a time", ["maxTokens"] = 24, ["temperature"] = 0 }, cancellationToken: Token);
        CallToolResult embed = await client.CallToolAsync("embed", new Dictionary<string, object?> { ["model"] = "stories", ["texts"] = new[] { "a cat", "a dog" } }, cancellationToken: Token);
        CallToolResult unknown = await client.CallToolAsync("chat", new Dictionary<string, object?> { ["model"] = "no-such-model", ["prompt"] = "hi" }, cancellationToken: Token);

        Assert.Contains("Lily", Assert.IsType<TextContentBlock>(Assert.Single(chat.Content)).Text, StringComparison.Ordinal);
        JsonElement vectors = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(embed.Content)).Text).RootElement;
        Assert.Equal(2, vectors.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(vectors.GetProperty("dimensions").GetInt32(), vectors.GetProperty("embeddings")[0].GetArrayLength());
        Assert.True(unknown.IsError);
        Assert.Contains("no-such-model", Assert.IsType<TextContentBlock>(Assert.Single(unknown.Content)).Text, StringComparison.Ordinal);
    }
}
