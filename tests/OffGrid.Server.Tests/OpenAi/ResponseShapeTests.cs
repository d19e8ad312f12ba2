using System.Text.Json;

namespace OffGrid.Server.Tests.OpenAi;

/// <summary>
/// OpenAI's response shapes as JSON documents, field for field as the API reference shows them, and every request
/// parameter of the reference either honoured or refused with a 400 that names it.
/// </summary>
public sealed class ResponseShapeTests : IClassFixture<ServerFixture>
{
    private const string WeatherTool = """
        {"type":"function","function":{"name":"get_weather","description":"Weather for a city.","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":12}},"required":["city"]}}}
        """;

    private readonly ServerFixture _server;

    public ResponseShapeTests(ServerFixture server)
    {
        _server = server;
    }

    [Fact]
    public async Task ChatCompletionHasEveryFieldOpenAiSends()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", new
        {
            model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 8, temperature = 0,
        });

        Assert.Equal(200, status);
        AssertKeys(body, "id", "object", "created", "model", "system_fingerprint", "choices", "usage");
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        JsonElement choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        AssertKeys(choice, "index", "message", "logprobs", "finish_reason");
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        JsonElement message = choice.GetProperty("message");
        AssertKeys(message, "role", "content", "refusal");
        Assert.Equal(JsonValueKind.String, message.GetProperty("content").ValueKind);
        Assert.Equal(JsonValueKind.Null, message.GetProperty("refusal").ValueKind);
        JsonElement usage = body.GetProperty("usage");
        AssertKeys(usage, "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details");
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ToolCallMessageHasNullContentAndCallsWithoutIndex()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", JsonDocument.Parse($$"""
            {"model":"tiny","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{{WeatherTool}}],"tool_choice":"required","max_tokens":200,"seed":3}
            """).RootElement);

        Assert.Equal(200, status);
        JsonElement choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        JsonElement message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        JsonElement call = message.GetProperty("tool_calls")[0];
        AssertKeys(call, "id", "type", "function");
        Assert.False(call.TryGetProperty("index", out _));
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        using JsonDocument arguments = JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal(JsonValueKind.String, arguments.RootElement.GetProperty("city").ValueKind);
    }

    [Fact]
    public async Task StreamedChunksSendNullFinishReasonsAndUsageWhenAsked()
    {
        List<JsonElement> chunks = await ReadChunksAsync("/v1/chat/completions", new
        {
            model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 6, temperature = 0,
            stream = true, stream_options = new { include_usage = true },
        });

        JsonElement usageChunk = chunks[^1];
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        Assert.Equal(6, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        List<JsonElement> choices = [.. chunks.SkipLast(1).Select(c => Assert.Single(c.GetProperty("choices").EnumerateArray()))];
        Assert.All(chunks.SkipLast(1), c =>
        {
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind);
        });
        Assert.All(choices, c =>
        {
            AssertKeys(c, "index", "delta", "logprobs", "finish_reason");
            Assert.Equal(JsonValueKind.Null, c.GetProperty("logprobs").ValueKind);
        });
        Assert.All(choices.SkipLast(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));
        Assert.Equal("length", choices[^1].GetProperty("finish_reason").GetString());
        Assert.Equal("assistant", choices[0].GetProperty("delta").GetProperty("role").GetString());
    }

    [Fact]
    public async Task StreamedWithoutUsageLeavesUsageOut()
    {
        List<JsonElement> chunks = await ReadChunksAsync("/v1/chat/completions", new
        {
            model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 3, temperature = 0, stream = true,
        });

        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.Equal("length", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task StreamedToolCallsCarryTheirIndex()
    {
        List<JsonElement> chunks = await ReadChunksAsync("/v1/chat/completions", JsonDocument.Parse($$"""
            {"model":"tiny","messages":[{"role":"user","content":"Weather?"}],"tools":[{{WeatherTool}}],"tool_choice":"required","max_tokens":200,"seed":3,"stream":true}
            """).RootElement);

        List<JsonElement> calls = [.. chunks.SelectMany(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out JsonElement t) ? t.EnumerateArray() : [])];
        Assert.NotEmpty(calls);
        Assert.Equal(Enumerable.Range(0, calls.Count), calls.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(calls, c => AssertKeys(c, "index", "id", "type", "function"));
        Assert.Equal("tool_calls", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task CompletionChoicesCarryNullLogprobs()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/completions", new { model = "stories", prompt = "Once", max_tokens = 4, temperature = 0 });
        Assert.Equal(200, status);
        JsonElement choice = body.GetProperty("choices")[0];
        AssertKeys(choice, "text", "index", "logprobs", "finish_reason");
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);

        List<JsonElement> chunks = await ReadChunksAsync("/v1/completions", new
        {
            model = "stories", prompt = "Once", max_tokens = 4, temperature = 0, stream = true, stream_options = new { include_usage = true },
        });
        Assert.Empty(chunks[^1].GetProperty("choices").EnumerateArray());
        Assert.Equal(4, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
    }

    [Fact]
    public async Task ErrorsCarryParamAndCodeEvenWhenNull()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", new { model = "stories", messages = Array.Empty<object>() });
        Assert.Equal(400, status);
        JsonElement error = body.GetProperty("error");
        AssertKeys(error, "message", "type", "param", "code");
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);
    }

    // Parameters of the OpenAI reference that a local model cannot honour are refused, naming the parameter.
    [Theory]
    [InlineData("logprobs", "true")]
    [InlineData("top_logprobs", "2")]
    [InlineData("logit_bias", """{"50256": -100}""")]
    [InlineData("audio", """{"voice":"alloy","format":"wav"}""")]
    [InlineData("modalities", """["text","audio"]""")]
    [InlineData("prediction", """{"type":"content","content":"x"}""")]
    [InlineData("web_search_options", "{}")]
    [InlineData("functions", """[{"name":"f","parameters":{"type":"object"}}]""")]
    [InlineData("function_call", "\"auto\"")]
    [InlineData("verbosity", "\"low\"")]
    [InlineData("store", "true")]
    [InlineData("service_tier", "\"flex\"")]
    [InlineData("n", "2")]
    [InlineData("reasoning_effort", "\"extreme\"")]
    [InlineData("chat_template_kwargs", """{"add_vision_id": true}""")]
    public async Task UnsupportedParametersAreRefusedByName(string parameter, string value)
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", JsonDocument.Parse($$"""
            {"model":"stories","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"{{parameter}}":{{value}}}
            """).RootElement);

        Assert.Equal(400, status);
        Assert.StartsWith(parameter, body.GetProperty("error").GetProperty("param").GetString(), StringComparison.Ordinal);
    }

    // Parameters that are informational, or honoured, are accepted.
    [Theory]
    [InlineData("user", "\"u1\"")]
    [InlineData("metadata", """{"k":"v"}""")]
    [InlineData("safety_identifier", "\"s\"")]
    [InlineData("prompt_cache_key", "\"k\"")]
    [InlineData("service_tier", "\"auto\"")]
    [InlineData("store", "false")]
    [InlineData("logit_bias", "{}")]
    [InlineData("modalities", """["text"]""")]
    [InlineData("reasoning_effort", "\"none\"")]
    [InlineData("reasoning_effort", "\"high\"")]
    [InlineData("chat_template_kwargs", """{"enable_thinking": false}""")]
    [InlineData("parallel_tool_calls", "false")]
    [InlineData("stream_options", """{"include_obfuscation": false}""")]
    public async Task InformationalAndHonouredParametersAreAccepted(string parameter, string value)
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", JsonDocument.Parse($$"""
            {"model":"stories","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"{{parameter}}":{{value}}}
            """).RootElement);

        Assert.True(status == 200, body.ToString());
    }

    [Fact]
    public async Task UnenforceableSchemasAreRefusedNamingTheKeyword()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/chat/completions", JsonDocument.Parse("""
            {"model":"stories","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,
             "response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"code":{"type":"string","pattern":"^a(?=b)$"}}}}}}
            """).RootElement);

        Assert.Equal(400, status);
        JsonElement error = body.GetProperty("error");
        Assert.Equal("response_format", error.GetProperty("param").GetString());
        Assert.Contains("'pattern'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("look-ahead", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("#/properties/code", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> ReadChunksAsync(string path, object body)
    {
        List<string> lines = [.. (await _server.PostStreamAsync(path, body, "text/event-stream")).Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..])];
        Assert.Equal("[DONE]", lines[^1]);
        return [.. lines.SkipLast(1).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static void AssertKeys(JsonElement element, params string[] keys) =>
        Assert.Equal(keys.Order(StringComparer.Ordinal), element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
}
