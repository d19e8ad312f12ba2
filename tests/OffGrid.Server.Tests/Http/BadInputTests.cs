using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OffGrid.Server.Tests.Http;

/// <summary>Every kind of bad request gets a clear 4xx JSON error in its API's shape, and the server keeps serving.</summary>
public sealed class BadInputTests : IClassFixture<ServerFixture>
{
    private const string Chat = """{"model":"stories","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":4}""";

    private readonly ServerFixture _server;

    public BadInputTests(ServerFixture server)
    {
        _server = server;
    }

    public static TheoryData<string, string, int, string?> OpenAiCases => new()
    {
        { "/v1/chat/completions", """{"model":"stories","messages":[""", 400, null },
        { "/v1/chat/completions", "", 400, null },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":"many"}""", 400, "max_tokens" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":-5}""", 400, "max_tokens" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"num_ctx":536870912}""", 400, "num_ctx" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"num_ctx":2147483647}""", 400, "num_ctx" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"temperature":7}""", 400, "temperature" },
        { "/v1/chat/completions", """{"model":"stories","messages":[]}""", 400, "messages" },
        { "/v1/chat/completions", """{"model":"stories"}""", 400, "messages" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content[0]" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"tool","content":"42"}]}""", 400, "messages[0].tool_call_id" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"stop":[1,2]}""", 400, "stop" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"bad name!"}}]}""", 400, "tools[0].function.name" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"string"}}}]}""", 400, "tools[0].function.parameters" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}""", 400, "tool_choice" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"yaml"}}""", 400, "response_format.type" },
        { "/v1/chat/completions", Schema("""{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/a"},{"type":"object"}]}},"$ref":"#/$defs/a"}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"$ref":"#"}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":"array","minItems":1000000000}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":"string","maxLength":1000000000,"minLength":1000000000}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":5}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":"object","properties":[]}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":"object","required":"x"}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"type":"string","pattern":"a{2"}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"enum":[]}"""), 400, "response_format" },
        { "/v1/chat/completions", Schema("""{"const":"\ud800"}"""), 400, null },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":5}}}}}]}""", 400, "tools" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"allOf":[{"$ref":"#"},{}]}}}}}]}""", 400, "tools" },
        { "/v1/chat/completions", """{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", 404, "model" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}]}""", 400, "model" },
        { "/v1/chat/completions", """{"model":"/etc/passwd.gguf","messages":[{"role":"user","content":"hi"}]}""", 404, "model" },
        { "/v1/completions", """{"model":"stories","prompt":""}""", 400, "prompt" },
        { "/v1/embeddings", """{"model":"stories","input":["a",""]}""", 400, "input" },
        { "/v1/embeddings", """{"model":"stories","input":[[1,2,3]]}""", 400, "input" },
        { "/v1/embeddings", """{"model":"stories","input":"a","dimensions":32}""", 400, "dimensions" },
        { "/v1/embeddings", """{"model":"stories","input":"a","encoding_format":"hex"}""", 400, "encoding_format" },
        { "/v1/benchmark", """{"model":"stories","prompt_tokens":0}""", 400, null },
        { "/v1/search", """{"sort":"random"}""", 400, "sort" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"assistant","tool_calls":[null]},{"role":"user","content":"hi"}]}""", 400, "messages[0].tool_calls[0]" },
        { "/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"top_p":1.5}""", 400, "top_p" },

        // OffGrid's own APIs refuse a field they do not know (a typo must not silently change what happens).
        { "/v1/quantize", """{"model":"stories","type":"Q4_0","outptu":"x"}""", 400, "outptu" },
        { "/v1/pool/pin", """{"modle":"stories"}""", 400, "modle" },
        { "/v1/pool/swap", """{"model":"stories","replacment":"stories"}""", 400, "replacment" },
        { "/v1/pool/unload", """{"model":"stories","force":true}""", 400, "force" },
        { "/v1/benchmark", """{"model":"stories","prompt_token":8}""", 400, "prompt_token" },
        { "/v1/search", """{"query":"x","sortt":"downloads"}""", 400, "sortt" },
        { "/v1/knowledge/collections", """{"name":"typo","embedding_model":"stories","chunking":{"max_token":64}}""", 400, "max_token" },
        { "/v1/knowledge/search", """{"query":"x","top":3}""", 400, "top" },
    };

    [Theory]
    [MemberData(nameof(OpenAiCases))]
    public async Task OpenAiEndpointsAnswerWithAnOpenAiError(string path, string body, int status, string? param)
    {
        (int actual, JsonElement error) = await PostRawAsync(path, body);

        Assert.Equal(status, actual);
        JsonElement details = error.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(details.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", details.GetProperty("type").GetString());
        if (param is not null)
        {
            Assert.Equal(param, details.GetProperty("param").GetString());
        }

        await AssertStillServingAsync();
    }

    public static TheoryData<string, string, int> OllamaCases => new()
    {
        { "/api/chat", "{not json", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"narrator","content":"hi"}]}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"options":{"num_predict":"x"}}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"format":42}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"keep_alive":"forever"}""", 400 },
        { "/api/generate", """{"model":"stories","prompt":"hi","images":["aGk="]}""", 400 },
        { "/api/generate", """{"model":"ghost","prompt":"hi"}""", 404 },
        { "/api/embed", """{"model":"stories","input":42}""", 400 },
        { "/api/show", """{"model":"ghost"}""", 404 },
        { "/api/pull", """{}""", 400 },
        { "/api/pull", """{"model":"/etc/passwd"}""", 403 },
        { "/api/generate", """{"model":"stories","prompt":"hi","keep_alive":"NaN"}""", 400 },
        { "/api/generate", """{"model":"stories","prompt":"hi","options":{"num_ctx":100000000}}""", 400 },
        { "/api/generate", """{"model":"stories","prompt":"hi","options":{"num_ctx":2147483600}}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"assistant","content":"","tool_calls":[null]}]}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"format":{"type":"object","properties":{"a":{"allOf":[{"$ref":"#"},{}]}}}}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"format":{"type":"array","minItems":1000000000}}""", 400 },
        { "/api/chat", """{"model":"stories","messages":[{"role":"user","content":"hi"}],"format":{"type":"object","required":"x"}}""", 400 },
    };

    [Theory]
    [MemberData(nameof(OllamaCases))]
    public async Task OllamaEndpointsAnswerWithAnOllamaError(string path, string body, int status)
    {
        (int actual, JsonElement error) = await PostRawAsync(path, body);

        Assert.Equal(status, actual);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task OversizeBodyIs413()
    {
        string huge = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', (int)ServerFixture.MaxBodyBytes + 10) + "\"}]}";
        (int status, JsonElement error) = await PostRawAsync("/v1/chat/completions", huge);

        Assert.Equal(413, status);
        Assert.Contains("larger", error.GetProperty("error").GetProperty("message").GetString());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task PromptLongerThanTheContextIs400AndNotTruncated()
    {
        string story = string.Concat(Enumerable.Repeat("Once upon a time there was a little girl. ", 400));
        (int status, JsonElement error) = await PostRawAsync("/v1/chat/completions", JsonSerializer.Serialize(new
        {
            model = "stories",
            messages = new[] { new { role = "user", content = story } },
        }));

        Assert.Equal(400, status);
        Assert.Equal("context_length_exceeded", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("context window", error.GetProperty("error").GetProperty("message").GetString());

        (status, JsonElement ollama) = await PostRawAsync("/api/generate", JsonSerializer.Serialize(new { model = "stories", prompt = story, stream = true }));
        Assert.Equal(400, status);
        Assert.Contains("context window", ollama.GetProperty("error").GetString());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task AKeepAliveTooLongToRepresentMeansForever()
    {
        (int status, _) = await PostRawAsync("/api/generate", """{"model":"stories","prompt":"Once","stream":false,"keep_alive":"99999999999h","options":{"num_predict":2}}""");
        Assert.Equal(200, status);

        (status, JsonElement running) = await _server.GetJsonAsync("/api/ps");
        Assert.Equal(200, status);
        Assert.Contains(running.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "stories");
    }

    [Fact]
    public async Task ABodyThatIsNotUtf8Is400()
    {
        byte[] body = [.. "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _server.Http.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Contains("UTF-8", error.GetProperty("error").GetProperty("message").GetString());
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("GET", "/v1/no-such-thing", 404)]
    [InlineData("GET", "/v1/chat/completions", 405)]
    [InlineData("GET", "/api/no-such-thing", 404)]
    [InlineData("DELETE", "/api/chat", 405)]
    public async Task UnknownRoutesAndMethodsAnswerInTheApisErrorShape(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using HttpResponseMessage response = await _server.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error");
        string? message = path.StartsWith("/v1", StringComparison.Ordinal) ? error.GetProperty("message").GetString() : error.GetString();
        Assert.Contains(path, message);
    }

    // Lone surrogate escapes are not text: wherever a client sends one, the answer is a 400 naming the field or a reply, never a 500.
    [Theory]
    [InlineData("""{"model":"stories","max_tokens":4,"messages":[{"role":"user","content":"hi \ud800"}]}""")]
    [InlineData("""{"model":"stories","max_tokens":4,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":\"\\ud800\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"done"},{"role":"user","content":"more"}]}""")]
    [InlineData("""{"model":"stories","max_tokens":4,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":\"\ud800\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"done"},{"role":"user","content":"more"}]}""")]
    [InlineData("""{"model":"stories","max_tokens":4,"messages":[{"role":"user","content":"hi"}],"stop":["\udc00"]}""")]
    public async Task LoneSurrogatesAreNeverAServerError(string body)
    {
        (int status, JsonElement response) = await PostRawAsync("/v1/chat/completions", body);

        Assert.True(status is 200 or 400, $"{status}: {response}");
        if (status == 400)
        {
            Assert.Contains("surrogate", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task LoneSurrogatesInOllamaToolCallsAreNeverAServerError()
    {
        (int status, JsonElement response) = await PostRawAsync("/api/chat", """
            {"model":"stories","stream":false,"options":{"num_predict":4},"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":"\ud800"}}}]},{"role":"tool","content":"done"},{"role":"user","content":"more"}]}
            """);

        Assert.True(status is 200 or 400, $"{status}: {response}");
        await AssertStillServingAsync();
    }

    private static string Schema(string schema) =>
        """{"model":"stories","max_tokens":4,"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":""" + schema + "}}}";

    private async Task<(int Status, JsonElement Body)> PostRawAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _server.Http.PostAsync(path, content, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task AssertStillServingAsync()
    {
        (int status, JsonElement body) = await PostRawAsync("/v1/chat/completions", Chat);
        Assert.Equal(200, status);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
    }
}
