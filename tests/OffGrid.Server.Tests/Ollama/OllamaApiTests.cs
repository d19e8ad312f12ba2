using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OffGrid.Server.Tests.Ollama;

/// <summary>Ollama's API shapes over raw HTTP.</summary>
public sealed class OllamaApiTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public OllamaApiTests(ServerFixture server)
    {
        _server = server;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChatStreamsNdjsonAndEndsWithTimings()
    {
        List<JsonElement> lines = await PostNdjsonAsync("/api/chat", new
        {
            model = "stories",
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            options = new { temperature = 0, num_predict = 16 },
        });

        Assert.True(lines.Count > 3);
        Assert.All(lines.Take(lines.Count - 1), l => Assert.False(l.GetProperty("done").GetBoolean()));
        string text = string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString()));
        Assert.Contains("little girl named Lily", text);

        JsonElement last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("stories", last.GetProperty("model").GetString());
        Assert.Equal("assistant", last.GetProperty("message").GetProperty("role").GetString());
        Assert.True(last.GetProperty("prompt_eval_count").GetInt64() > 0);
        Assert.InRange(last.GetProperty("eval_count").GetInt64(), 1, 16);
        foreach (string timing in new[] { "total_duration", "prompt_eval_duration", "eval_duration" })
        {
            Assert.True(last.GetProperty(timing).GetInt64() > 0, timing);
        }

        Assert.True(last.TryGetProperty("load_duration", out _));
        Assert.True(last.GetProperty("total_duration").GetInt64() >= last.GetProperty("eval_duration").GetInt64());
    }

    [Fact]
    public async Task ChatWithoutStreamingAnswersOnce()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/chat", new
        {
            model = "stories:latest",
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            stream = false,
            options = new { temperature = 0, num_predict = 6, seed = 1 },
        });

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.Equal("length", body.GetProperty("done_reason").GetString());
        Assert.Equal(6, body.GetProperty("eval_count").GetInt32());
        Assert.StartsWith(",", body.GetProperty("message").GetProperty("content").GetString()!.TrimStart());
    }

    [Fact]
    public async Task FormatSchemaGivesConformingJson()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/chat", new
        {
            model = "stories",
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            stream = false,
            format = new { type = "object", properties = new { done = new { type = "boolean" } }, required = new[] { "done" } },
            options = new { temperature = 0, num_predict = 64 },
        });

        Assert.Equal(200, status);
        using JsonDocument json = JsonDocument.Parse(body.GetProperty("message").GetProperty("content").GetString()!);
        Assert.True(json.RootElement.GetProperty("done").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public async Task ToolCallsAndResultsInTheHistoryAreAccepted()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/chat", new
        {
            model = "stories",
            stream = false,
            tools = new[] { new { type = "function", function = new { name = "get_weather", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } } },
            messages = new object[]
            {
                new { role = "user", content = "Weather in Paris?" },
                new { role = "assistant", content = "", tool_calls = new[] { new { function = new { name = "get_weather", arguments = new { city = "Paris" } } } } },
                new { role = "tool", content = "Sunny", tool_name = "get_weather" },
            },
            options = new { num_predict = 4 },
        });

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.True(body.GetProperty("prompt_eval_count").GetInt32() > 10);
    }

    [Fact]
    public async Task GenerateRawContinuesThePrompt()
    {
        List<JsonElement> lines = await PostNdjsonAsync("/api/generate", new
        {
            model = "stories",
            prompt = "Once upon a time",
            raw = true,
            options = new { temperature = 0, num_predict = 16, stop = new[] { "." } },
        });

        string text = string.Concat(lines.Select(l => l.GetProperty("response").GetString()));
        Assert.Contains("Lily", text);
        Assert.DoesNotContain(".", text);
        Assert.Equal("stop", lines[^1].GetProperty("done_reason").GetString());
    }

    [Fact]
    public async Task EmbedReturnsOneVectorPerInput()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/embed", new { model = "stories", input = new[] { "one", "two", "three" } });
        Assert.Equal(200, status);
        Assert.Equal(3, body.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(64, body.GetProperty("embeddings")[0].GetArrayLength());
        Assert.True(body.GetProperty("prompt_eval_count").GetInt32() >= 3);

        (status, body) = await _server.PostJsonAsync("/api/embeddings", new { model = "stories", prompt = "one" });
        Assert.Equal(200, status);
        Assert.Equal(64, body.GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task TagsShowPsAndVersionDescribeTheModels()
    {
        (int status, JsonElement tags) = await _server.GetJsonAsync("/api/tags");
        Assert.Equal(200, status);
        JsonElement stories = tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "stories");
        Assert.Equal("llama", stories.GetProperty("details").GetProperty("family").GetString());
        Assert.Equal("gguf", stories.GetProperty("details").GetProperty("format").GetString());
        Assert.Equal(new FileInfo(OffGrid.Testing.TestPaths.Stories260K).Length, stories.GetProperty("size").GetInt64());

        (status, JsonElement show) = await _server.PostJsonAsync("/api/show", new { model = "stories" });
        Assert.Equal(200, status);
        Assert.Equal("llama", show.GetProperty("model_info").GetProperty("general.architecture").GetString());
        Assert.Contains("completion", show.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));

        (status, JsonElement ps) = await _server.GetJsonAsync("/api/ps");
        Assert.Equal(200, status);
        JsonElement running = ps.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "stories");
        Assert.Equal(ServerFixture.ContextSize, running.GetProperty("context_length").GetInt32());

        (status, JsonElement version) = await _server.GetJsonAsync("/api/version");
        Assert.Equal(200, status);
        Assert.False(string.IsNullOrEmpty(version.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task EmptyPromptLoadsAndKeepAliveZeroUnloads()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/generate", new { model = "tiny", keep_alive = "10m" });
        Assert.Equal(200, status);
        Assert.Equal("load", body.GetProperty("done_reason").GetString());
        Assert.Contains("tiny", await RunningModelsAsync());

        (status, body) = await _server.PostJsonAsync("/api/generate", new { model = "tiny", keep_alive = 0 });
        Assert.Equal(200, status);
        Assert.Equal("unload", body.GetProperty("done_reason").GetString());
        Assert.DoesNotContain("tiny", await RunningModelsAsync());
    }

    [Fact]
    public async Task NumCtxLoadsTheModelWithThatContextAndBadValuesAre400()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/generate", new
        {
            model = "tiny", prompt = "hello", stream = false, keep_alive = "10m", options = new { num_ctx = 512, num_predict = 2, temperature = 0 },
        });
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("done").GetBoolean());
        (_, JsonElement ps) = await _server.GetJsonAsync("/api/ps");
        Assert.Contains(ps.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "tiny" && m.GetProperty("context_length").GetInt32() == 512);

        (status, body) = await _server.PostJsonAsync("/api/generate", new { model = "tiny", prompt = "hello", stream = false, options = new { num_ctx = 4 } });
        Assert.Equal(400, status);
        Assert.Contains("num_ctx", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        (status, _) = await _server.PostJsonAsync("/api/generate", new { model = "tiny", keep_alive = 0 });
        Assert.Equal(200, status);
        Assert.DoesNotContain("tiny", await RunningModelsAsync());
    }

    [Fact]
    public async Task PullStreamsProgressThenTheModelServesAndDeletes()
    {
        List<JsonElement> progress = await PostNdjsonAsync("/api/pull", new { model = "offgrid/tiny-GGUF" });
        List<string?> statuses = [.. progress.Select(p => p.GetProperty("status").GetString())];
        Assert.Equal("pulling manifest", statuses[0]);
        Assert.Equal("success", statuses[^1]);
        JsonElement download = progress.Last(p => p.TryGetProperty("total", out _));
        Assert.Equal(new FileInfo(OffGrid.Testing.Models.TestLlamaModels.Tiny).Length, download.GetProperty("total").GetInt64());

        (int status, JsonElement tags) = await _server.GetJsonAsync("/api/tags");
        Assert.Equal(200, status);
        string stored = tags.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).Single(n => n.Contains("tiny-GGUF", StringComparison.OrdinalIgnoreCase));

        // The reference it was pulled as resolves to the stored model too.
        (status, JsonElement answer) = await _server.PostJsonAsync("/api/generate", new { model = "offgrid/tiny-GGUF", prompt = "hello", stream = false, keep_alive = 0, options = new { num_predict = 3 } });
        Assert.Equal(200, status);
        Assert.True(answer.GetProperty("done").GetBoolean());

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/delete") { Content = JsonContent.Create(new { model = stored }) })
        using (HttpResponseMessage deleted = await _server.Http.SendAsync(delete, Token))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var again = new HttpRequestMessage(HttpMethod.Delete, "/api/delete") { Content = JsonContent.Create(new { model = stored }) };
        using HttpResponseMessage missing = await _server.Http.SendAsync(again, Token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(JsonDocument.Parse(await missing.Content.ReadAsStringAsync(Token)).RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task PullOfAnUnknownRepositoryIs404()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/pull", new { model = "nobody/nothing-GGUF" });
        Assert.Equal(404, status);
        Assert.Equal(JsonValueKind.String, body.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task UnknownModelIs404InOllamaShape()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/api/chat", new { model = "missing", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(404, status);
        Assert.Contains("missing", body.GetProperty("error").GetString());
    }

    private async Task<List<string>> RunningModelsAsync()
    {
        (_, JsonElement ps) = await _server.GetJsonAsync("/api/ps");
        return [.. ps.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)];
    }

    private async Task<List<JsonElement>> PostNdjsonAsync(string path, object body)
    {
        List<JsonElement> lines = [.. (await _server.PostStreamAsync(path, body, "application/x-ndjson")).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.All(lines, l => Assert.False(l.TryGetProperty("error", out JsonElement error), error.ToString()));
        return lines;
    }
}
