using System.Net.Http.Json;
using System.Text.Json;
using OffGrid.Testing.Mcp;

namespace OffGrid.Server.Tests.Tools;

/// <summary>The whole server's tool API: custom tools, MCP server status, and chats that use the server's tools.</summary>
public sealed class ToolsApiTests : IClassFixture<ServerFixture>
{
    private const string Say = """
        {"name":"say","description":"Says a text.","parameters":{"type":"object","properties":{"text":{"type":"string","maxLength":8}},"required":["text"]},"shell":{"command":["echo","{text}"]}}
        """;

    private readonly ServerFixture _server;

    public ToolsApiTests(ServerFixture server)
    {
        _server = server;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CustomToolsAreCreatedListedTestedAndDeleted()
    {
        (int created, JsonElement definition) = await PostRawAsync("/v1/tools", Say.Replace("\"say\"", "\"shout\"", StringComparison.Ordinal));
        (int duplicate, JsonElement duplicateError) = await PostRawAsync("/v1/tools", Say.Replace("\"say\"", "\"shout\"", StringComparison.Ordinal));
        (int invalid, JsonElement invalidError) = await PostRawAsync("/v1/tools", """{"name":"evil","shell":{"command":["bash","-c","rm -rf /"]}}""");
        (int malformed, JsonElement malformedError) = await PostRawAsync("/v1/tools", "{\"name\":");
        (_, JsonElement listed) = await _server.GetJsonAsync("/v1/tools");
        (_, JsonElement read) = await _server.GetJsonAsync("/v1/tools/shout");
        (_, JsonElement ran) = await _server.PostJsonAsync("/v1/tools/shout/test", new { arguments = new { text = "; rm -rf /" } });
        (_, JsonElement refused) = await _server.PostJsonAsync("/v1/tools/shout/test", new { arguments = new { text = "--help" } });
        (int badArguments, _) = await _server.PostJsonAsync("/v1/tools/shout/test", new { arguments = new[] { 1 } });
        using HttpResponseMessage deleted = await _server.Http.DeleteAsync("/v1/tools/shout", Token);
        (int gone, JsonElement goneError) = await _server.GetJsonAsync("/v1/tools/shout");

        Assert.Equal(201, created);
        Assert.Equal("shout", definition.GetProperty("name").GetString());
        Assert.Equal(400, duplicate);
        Assert.Equal("invalid_tool", duplicateError.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(400, invalid);
        Assert.Equal("shell.command[0]", invalidError.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(400, malformed);
        Assert.Contains("not valid JSON", malformedError.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), t => t.GetProperty("name").GetString() == "shout" && t.GetProperty("kind").GetString() == "shell");
        Assert.Equal(["echo", "{text}"], read.GetProperty("shell").GetProperty("command").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("; rm -rf /\n", ran.GetProperty("result").GetString());
        Assert.Contains("may not start with '-'", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, badArguments);
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal(404, gone);
        Assert.Equal("tool_not_found", goneError.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task McpServersReportTheirStateAndWhatTheyOffer()
    {
        string documents = Directory.CreateDirectory(Path.Combine(_server.Home, "status-documents")).FullName;
        WriteMcpJson(new Dictionary<string, object>
        {
            ["files"] = new { command = "node", args = new[] { McpNpmPackages.Filesystem, documents } },
            ["sleepy"] = new { command = "sleep", args = new[] { "60" } },
        });

        (_, JsonElement before) = await _server.GetJsonAsync("/v1/mcp/servers");
        (int described, JsonElement files) = await _server.GetJsonAsync("/v1/mcp/servers/files");
        (int failed, JsonElement sleepy) = await _server.GetJsonAsync("/v1/mcp/servers/sleepy");
        (_, JsonElement after) = await _server.GetJsonAsync("/v1/mcp/servers");
        (int unknown, _) = await _server.GetJsonAsync("/v1/mcp/servers/nothing");

        Assert.All(before.GetProperty("data").EnumerateArray(), s => Assert.Equal("idle", s.GetProperty("state").GetString()));
        Assert.Equal(200, described);
        Assert.Contains(files.GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "write_file" && t.GetProperty("requires_approval").GetBoolean());
        Assert.Contains(files.GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "read_text_file" && !t.GetProperty("requires_approval").GetBoolean());
        Assert.Equal(502, failed);
        Assert.Equal("mcp_server_failed", sleepy.GetProperty("error").GetProperty("code").GetString());
        Assert.StartsWith("MCP server 'sleepy' did not start within 5 s", sleepy.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Dictionary<string, JsonElement> states = after.GetProperty("data").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal("running", states["files"].GetProperty("state").GetString());
        Assert.Equal("failed", states["sleepy"].GetProperty("state").GetString());
        Assert.Equal(404, unknown);
    }

    [Fact]
    public async Task AChatReadsAFileThroughTheFilesystemServer()
    {
        string documents = Directory.CreateDirectory(Path.Combine(_server.Home, "chat-documents")).FullName;
        string handbook = Path.Combine(documents, "handbook.md");
        string content = $"Reset code {Random.Shared.Next(1000, 9999)}.";
        await File.WriteAllTextAsync(handbook, content, Token);
        WriteMcpJson(new Dictionary<string, object>
        {
            ["filesystem"] = new
            {
                command = "node",
                args = new[] { McpNpmPackages.Filesystem, documents },
                toolArguments = new { read_text_file = new { path = new { type = "string", @enum = new[] { handbook } } } },
            },
        });

        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", new
        {
            model = "qwen",
            messages = new[] { new { role = "user", content = "What is the reset code?" } },
            server_tools = new[] { "filesystem/read_text_file" },
            tool_choice = new { type = "function", function = new { name = "read_text_file" } },
            max_tokens = 256,
            seed = 3,
        });

        Assert.Equal(200, status);
        JsonElement choice = body.GetProperty("choices")[0];
        // The grammar allows several calls in one turn; each reads the one file the narrowed schema allows.
        JsonElement[] calls = [.. choice.GetProperty("message").GetProperty("server_tool_calls").EnumerateArray()];
        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.Equal(("read_text_file", content), (call.GetProperty("name").GetString(), call.GetProperty("result").GetString())));
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.NotEqual("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.False(string.IsNullOrEmpty(choice.GetProperty("message").GetProperty("content").GetString()));

        (int unknown, JsonElement error) = await _server.PostJsonAsync("/v1/chat/completions", new
        {
            model = "qwen",
            messages = new[] { new { role = "user", content = "Hi" } },
            server_tools = new[] { "no-such-tools" },
        });
        Assert.Equal(404, unknown);
        Assert.Contains("No MCP server, plugin or tool is named 'no-such-tools'", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerToolThatNeedsApprovalWaitsForTheClient()
    {
        (int created, _) = await PostRawAsync("/v1/tools", Say.Replace("\"name\":\"say\",", "\"name\":\"say\",\"requireApproval\":true,", StringComparison.Ordinal));
        Assert.Equal(201, created);
        var question = new { role = "user", content = "Say hello." };

        (_, JsonElement asked) = await _server.PostJsonAsync("/v1/chat/completions", new
        {
            model = "qwen", messages = new[] { question }, server_tools = new[] { "say" }, tool_choice = "required", max_tokens = 96, seed = 4,
        });

        JsonElement message = asked.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("tool_calls", asked.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        JsonElement request = Assert.Single(message.GetProperty("approval_requests").EnumerateArray());
        JsonElement pending = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        string callId = pending.GetProperty("id").GetString()!;
        Assert.Equal(callId, request.GetProperty("tool_call_id").GetString());
        Assert.Equal("say", request.GetProperty("name").GetString());

        object Answer(bool approved) => new
        {
            model = "qwen",
            messages = new object[] { question, new { role = "assistant", content = (string?)null, tool_calls = new[] { JsonSerializer.Deserialize<object>(pending.GetRawText()) } }, new { role = "tool", tool_call_id = callId, approved } },
            server_tools = new[] { "say" },
            max_tokens = 16,
            seed = 4,
        };
        (int approvedStatus, JsonElement approved) = await _server.PostJsonAsync("/v1/chat/completions", Answer(approved: true));
        (int declinedStatus, JsonElement declined) = await _server.PostJsonAsync("/v1/chat/completions", Answer(approved: false));

        Assert.Equal(200, approvedStatus);
        string text = JsonDocument.Parse(request.GetProperty("arguments").GetString()!).RootElement.GetProperty("text").GetString()!;
        JsonElement ran = Assert.Single(approved.GetProperty("choices")[0].GetProperty("message").GetProperty("server_tool_calls").EnumerateArray());
        Assert.Equal(text + "\n", ran.GetProperty("result").GetString());
        Assert.Equal(200, declinedStatus);
        JsonElement refused = Assert.Single(declined.GetProperty("choices")[0].GetProperty("message").GetProperty("server_tool_calls").EnumerateArray());
        Assert.DoesNotContain(text + "\n", refused.GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Contains("reject", refused.GetProperty("result").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private void WriteMcpJson(Dictionary<string, object> servers) =>
        File.WriteAllText(Path.Combine(_server.Home, "mcp.json"), JsonSerializer.Serialize(new { mcpServers = servers }));

    private async Task<(int Status, JsonElement Body)> PostRawAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _server.Http.PostAsync(path, content, Token);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.Clone());
    }
}
