using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Inference.Pooling;
using OffGrid.Testing.Models;

namespace OffGrid.Server.Tests.OpenAi;

/// <summary>Server-sent events over raw HTTP: the wire format, concurrency and client disconnects.</summary>
public sealed partial class StreamingTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public StreamingTests(ServerFixture server)
    {
        _server = server;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// A request that keeps the slow model busy for seconds. Random weights end early at some seeds; this seed runs
    /// past 1600 tokens (the sample is deterministic for a given model file and seed).
    /// </summary>
    private static object LongGeneration => new
    {
        model = "slow", messages = new[] { new { role = "user", content = "a b c" } }, max_tokens = 1900, temperature = 1.0, seed = 6, stream = true,
    };

    [Fact]
    public async Task CompletionsStreamEndsWithUsageAndDone()
    {
        List<string> events = await ReadEventsAsync("/v1/completions", new
        {
            model = "stories", prompt = "Once upon a time", max_tokens = 16, temperature = 0, stream = true, stream_options = new { include_usage = true },
        });

        Assert.Equal("[DONE]", events[^1]);
        List<JsonElement> chunks = [.. events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement.Clone())];
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        string text = string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("text").GetString()));
        Assert.Contains("Lily", text);

        // As OpenAI sends it: the usage comes last, in a chunk without choices.
        Assert.Empty(chunks[^1].GetProperty("choices").EnumerateArray());
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task SixteenConcurrentStreamsAllComplete()
    {
        var body = new { model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 24, temperature = 0, stream = true };
        List<string>[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ReadEventsAsync("/v1/chat/completions", body)));

        Assert.All(results, events =>
        {
            Assert.Equal("[DONE]", events[^1]);
            List<JsonElement> chunks = [.. events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement.Clone())];
            string text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out JsonElement t) ? t.GetString() : null));
            Assert.Contains("little girl named Lily", text);
            Assert.NotNull(chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        });
    }

    [Fact]
    public async Task DisconnectingFreesTheSequence()
    {
        var body = LongGeneration;
        long generatedBefore = await CompletionTokensAsync();

        // Without draining, disposing an unread response closes the connection, as a client that goes away does.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = _server.BaseUri };
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) })
        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Token));
            for (int read = 0; read < 3;)
            {
                read += (await reader.ReadLineAsync(Token))?.StartsWith("data:", StringComparison.Ordinal) == true ? 1 : 0;
            }

            Assert.Equal(1, ActiveSequences());
        }

        // The engine must notice the closed connection and free the slot long before the generation would end.
        int active = 1;
        for (int i = 0; i < 100 && active != 0; i++)
        {
            await Task.Delay(50, Token);
            active = ActiveSequences();
        }

        Assert.Equal(0, active);

        // A cancelled generation is not counted; one that ran to the end would add its 1900 tokens.
        Assert.Equal(generatedBefore, await CompletionTokensAsync());
    }

    private async Task<long> CompletionTokensAsync()
    {
        string metrics = await _server.Http.GetStringAsync("/metrics", Token);
        // Only the slow model's series: other tests on the shared server generate with the other models.
        string slow = $"model=\"{Path.GetFileNameWithoutExtension(TestLlamaModels.GetOrCreate(ServerFixture.SlowSpec))}\"";
        return CompletionTokens().Matches(metrics).Where(m => m.Groups["tags"].Value.Contains(slow, StringComparison.Ordinal))
            .Sum(m => long.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AFullQueueAnswers429WithRetryAfter()
    {
        await using WebApplication app = OffGridWebApplication.Create([], o =>
        {
            ServerFixture.Configure(o, preload: []);
            o.Pool.Engine.ParallelSequences = 1;
            o.Pool.Engine.MaxPendingRequests = 0;
        });
        await app.StartAsync(Token);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        var body = LongGeneration;
        using var busy = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        using HttpResponseMessage running = await http.SendAsync(busy, HttpCompletionOption.ResponseHeadersRead, Token);
        using var reader = new StreamReader(await running.Content.ReadAsStreamAsync(Token));
        await reader.ReadLineAsync(Token); // the first event: the one sequence is taken

        using HttpResponseMessage refused = await http.PostAsJsonAsync("/v1/chat/completions", body, Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        JsonElement error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        await app.StopAsync(Token);
    }

    /// <summary>Requests being decoded now, over every loaded model (tests in a class run one at a time).</summary>
    private int ActiveSequences() => _server.Services.GetRequiredService<LlamaModelPool>().GetLoadedModels().Sum(m => m.ActiveSequences);

    private async Task<List<string>> ReadEventsAsync(string path, object body) =>
        [.. (await _server.PostStreamAsync(path, body, "text/event-stream")).Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..])];


    [GeneratedRegex("""offgrid_inference_completion_tokens_total\{(?<tags>[^}]*)\} (?<count>\d+)""")]
    private static partial Regex CompletionTokens();
}
