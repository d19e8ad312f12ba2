using System.Text.Json;

namespace OffGrid.Server.Tests.Ollama;

/// <summary>
/// <c>/api/generate</c>'s <c>context</c>: every answer returns the exchange in tokens, and a context sent back is
/// continued, as older Ollama clients rely on. Plus the request fields generate refuses or honours.
/// </summary>
public sealed class OllamaGenerateContextTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public OllamaGenerateContextTests(ServerFixture server)
    {
        _server = server;
    }

    [Fact]
    public async Task ContextIsReturnedAndContinued()
    {
        (int status, JsonElement first) = await _server.PostJsonAsync("/api/generate", new
        {
            model = "stories", prompt = "Once upon a time", raw = true, stream = false, options = new { temperature = 0, num_predict = 8 },
        });
        Assert.Equal(200, status);
        int[] context = [.. first.GetProperty("context").EnumerateArray().Select(t => t.GetInt32())];
        Assert.Equal(first.GetProperty("prompt_eval_count").GetInt32() + first.GetProperty("eval_count").GetInt32(), context.Length);

        (status, JsonElement second) = await _server.PostJsonAsync("/api/generate", new
        {
            model = "stories", prompt = " Then", raw = true, stream = false, context, options = new { temperature = 0, num_predict = 8 },
        });
        Assert.Equal(200, status);
        int[] continued = [.. second.GetProperty("context").EnumerateArray().Select(t => t.GetInt32())];
        Assert.Equal(context, continued[..context.Length]);
        Assert.True(second.GetProperty("prompt_eval_count").GetInt32() > context.Length);

        // Without the context the same prompt starts a new story: the context is what the continuation builds on.
        (status, JsonElement alone) = await _server.PostJsonAsync("/api/generate", new
        {
            model = "stories", prompt = " Then", raw = true, stream = false, options = new { temperature = 0, num_predict = 8 },
        });
        Assert.Equal(200, status);
        Assert.NotEqual(alone.GetProperty("response").GetString(), second.GetProperty("response").GetString());

        // The continued prompt is the context plus the new text, without a second BOS.
        Assert.Equal(context.Length + alone.GetProperty("prompt_eval_count").GetInt32() - 1, second.GetProperty("prompt_eval_count").GetInt32());
    }

    [Fact]
    public async Task StreamedGenerateEndsWithContext()
    {
        List<JsonElement> lines = [.. (await _server.PostStreamAsync("/api/generate", new
        {
            model = "stories", prompt = "Once upon a time", options = new { temperature = 0, num_predict = 5 },
        }, "application/x-ndjson")).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

        Assert.All(lines.SkipLast(1), l => Assert.False(l.TryGetProperty("context", out _)));
        Assert.True(lines[^1].GetProperty("context").GetArrayLength() > 5);
    }

    [Theory]
    [InlineData("""{"model":"stories","prompt":"Hi","stream":false,"context":[1,2,99999999]}""", "context")]
    [InlineData("""{"model":"stories","prompt":"Hi","stream":false,"context":"abc"}""", "context")]
    [InlineData("""{"model":"stories","prompt":"Hi","stream":false,"template":"{{ .Prompt }}"}""", "template")]
    [InlineData("""{"model":"stories","prompt":"Hi","stream":false,"think":"maximal"}""", "think")]
    public async Task UnusableFieldsAreRefused(string body, string field)
    {
        (int status, JsonElement error) = await _server.PostJsonAsync("/api/generate", JsonDocument.Parse(body).RootElement);
        Assert.Equal(400, status);
        Assert.Contains(field, error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThinkIsAccepted()
    {
        (int status, _) = await _server.PostJsonAsync("/api/chat", new
        {
            model = "stories", messages = new[] { new { role = "user", content = "Hi" } }, think = false, stream = false, options = new { num_predict = 2 },
        });
        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData("/api/create")]
    [InlineData("/api/copy")]
    [InlineData("/api/push")]
    [InlineData("/api/blobs/sha256:abc")]
    public async Task EndpointsWithoutACounterpartSayWhy(string path)
    {
        (int status, JsonElement body) = await _server.PostJsonAsync(path, new { model = "stories" });
        Assert.Equal(501, status);
        Assert.Contains("not supported", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
