using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Tests.Backends;

/// <summary>
/// The balancer in a real OffGrid app (Kestrel) over real OpenAI-compatible backends (Kestrel, answering at once): strategies,
/// failover before the first byte, circuits, active health checks, prefix affinity, and in-flight counts that return to zero
/// however a request ends.
/// </summary>
public sealed class BalancingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AThousandRequestsFollowTheWeights()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using InstantBackend c = await InstantBackend.StartAsync("c");
        await using TestServer front = await FrontAsync([(a, 5), (b, 3), (c, 2)], o => o.Strategy = BalancingStrategies.Weighted);

        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            answers.Add(await ChatAsync(front, $"question {i}", ct)));

        var shares = answers.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count() / 1000.0);
        Assert.Equal(1000, answers.Count);
        Assert.InRange(shares["from a"], 0.45, 0.55);
        Assert.InRange(shares["from b"], 0.25, 0.35);
        Assert.InRange(shares["from c"], 0.15, 0.25);
        Assert.Equal(1000, a.Requests + b.Requests + c.Requests);
        Assert.All(Registry(front).Backends, backend => Assert.Equal(0, backend.InFlight));
    }

    [Fact]
    public async Task A200ThatIsNotAnAnswerIsABadAnswerThatCountsAsAFailure()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1)], o =>
        {
            o.Strategy = BalancingStrategies.FirstAlphabetical;
            o.CircuitBreakerFailures = 1000;
            o.HealthCheckInterval = TimeSpan.Zero;
        });
        RemoteBackends registry = Registry(front);

        a.Behavior = BackendBehavior.Garbage;
        Assert.Equal("from b", await ChatAsync(front, "one", Ct));
        Assert.Equal(1, registry.Backends[0].Failures);
        Assert.Contains("bad answer", registry.Backends[0].LastError?.Message, StringComparison.Ordinal);

        b.Behavior = BackendBehavior.Garbage;
        (int status, JsonElement error) = await PostAsync(front, "two");
        Assert.Equal(502, status);
        Assert.Equal("backend_error", error.GetProperty("error").GetProperty("code").GetString());
        await AssertIdleAsync(registry);
    }

    [Fact]
    public async Task InFlightCountsReturnToZeroHoweverARequestEnds()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1)], o =>
        {
            o.Strategy = BalancingStrategies.FirstAlphabetical;
            o.CircuitBreakerFailures = 1000;
            o.HealthCheckInterval = TimeSpan.Zero;
        }, backend => backend.FirstTokenTimeout = TimeSpan.FromSeconds(3));
        RemoteBackends registry = Registry(front);

        // Fails before the first byte: the request moves to the next backend.
        a.Behavior = BackendBehavior.Fail;
        Assert.Equal("from b", await ChatAsync(front, "one", Ct));
        await AssertIdleAsync(registry);

        // Every backend fails before the first byte: the client gets the failures, named.
        b.Behavior = BackendBehavior.Fail;
        (int status, JsonElement error) = await PostAsync(front, "two");
        Assert.Equal(502, status);
        Assert.Contains("No backend could answer 'chat' (2 tried)", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertIdleAsync(registry);

        // Refused as invalid: the client's fault, not retried elsewhere.
        (a.Behavior, b.Behavior) = (BackendBehavior.Reject, BackendBehavior.Answer);
        int before = b.Requests;
        (status, error) = await PostAsync(front, "three");
        Assert.Equal(400, status);
        Assert.Contains("the prompt is too long", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, b.Requests);
        await AssertIdleAsync(registry);

        // Silent until the first-token timeout, on both: 504.
        (a.Behavior, b.Behavior) = (BackendBehavior.Hang, BackendBehavior.Hang);
        (status, _) = await PostAsync(front, "four");
        Assert.Equal(504, status);
        await AssertIdleAsync(registry);

        // The client gives up before the first byte.
        using (var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            giveUp.CancelAfter(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => front.Http.PostAsJsonAsync("/v1/chat/completions", Request("five", stream: false), giveUp.Token));
        }

        await AssertIdleAsync(registry);

        // The backend drops the connection after its first chunk: the stream breaks, nothing is retried.
        (a.Behavior, b.Behavior) = (BackendBehavior.BreakAfterFirstChunk, BackendBehavior.Answer);
        List<string> events = await StreamAsync(front, "six", stopAfter: int.MaxValue);
        Assert.Contains(events, e => e.Contains("from ", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("from b", StringComparison.Ordinal));
        await AssertIdleAsync(registry);

        // The client stops reading after the first chunk of a slow answer.
        (a.Behavior, a.ChunkDelay) = (BackendBehavior.Answer, TimeSpan.FromSeconds(30));
        events = await StreamAsync(front, "seven", stopAfter: 1);
        Assert.Single(events);
        await AssertIdleAsync(registry);

        // In process: the caller leaves the loop after the first update, and cancels another mid-answer.
        IChatClient chat = await PipelineAsync(front);
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("eight", cancellationToken: Ct))
        {
            Assert.Equal("from ", update.Text);
            break;
        }

        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("nine", cancellationToken: cancel.Token))
                {
                    await cancel.CancelAsync();
                }
            });
        }

        await AssertIdleAsync(registry);
        using JsonDocument listing = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/backends", Ct));
        Assert.All(listing.RootElement.GetProperty("data").EnumerateArray(), backend => Assert.Equal(0, backend.GetProperty("in_flight").GetInt32()));
        string metrics = await front.Http.GetStringAsync("/metrics", Ct);
        Assert.Matches(@"offgrid_backend_requests_in_flight\{[^}]*backend=""a""[^}]*\} 0", metrics);
        Assert.DoesNotMatch(@"offgrid_backend_requests_in_flight\{[^}]*\} [1-9]", metrics);
        Assert.Matches(@"offgrid_backend_requests_total\{[^}]*backend=""a"",model=""chat"",outcome=""failed""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task AFailingBackendsCircuitOpensThenLetsRequestsThroughAgain()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1)], o =>
        {
            o.Strategy = BalancingStrategies.FirstAlphabetical;
            o.CircuitBreakerFailures = 3;
            o.CircuitBreakDuration = TimeSpan.FromSeconds(1);
            o.HealthCheckInterval = TimeSpan.Zero;
        });
        a.Behavior = BackendBehavior.Fail;

        for (int i = 0; i < 6; i++)
        {
            Assert.Equal("from b", await ChatAsync(front, $"q{i}", Ct));
        }

        Assert.Equal(3, a.Requests);
        Assert.Equal("circuit_open", await StatusAsync(front, "a"));

        await Eventually(async () => await StatusAsync(front, "a") == "unknown", TimeSpan.FromSeconds(10));
        a.Behavior = BackendBehavior.Answer;
        Assert.Equal("from a", await ChatAsync(front, "again", Ct));
    }

    [Fact]
    public async Task ActiveHealthChecksTakeAStoppedBackendOutAndBackIn()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1)], o => o.Strategy = BalancingStrategies.RoundRobin);
        await Eventually(async () => await StatusAsync(front, "b") == "healthy", TimeSpan.FromSeconds(10));

        await b.StopAsync();
        await Eventually(async () => await StatusAsync(front, "b") == "unhealthy", TimeSpan.FromSeconds(10));
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal("from a", await ChatAsync(front, $"q{i}", Ct));
        }

        await a.StopAsync();
        await Eventually(async () => await StatusAsync(front, "a") == "unhealthy", TimeSpan.FromSeconds(10));
        (int status, JsonElement error) = await PostAsync(front, "nobody");
        Assert.Equal(503, status);
        Assert.StartsWith("Every backend serving 'chat' is unavailable — a: unhealthy", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        using HttpResponseMessage ollama = await front.Http.PostAsJsonAsync("/api/chat", new { model = "chat", messages = new[] { new { role = "user", content = "hi" } }, stream = false }, Ct);
        Assert.Equal(503, (int)ollama.StatusCode);
        Assert.Contains("Every backend serving 'chat' is unavailable", (await ollama.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString(), StringComparison.Ordinal);

        await b.RestartAsync();
        await Eventually(async () => await StatusAsync(front, "b") == "healthy", TimeSpan.FromSeconds(10));
        Assert.Equal("from b", await ChatAsync(front, "back", Ct));
    }

    [Fact]
    public async Task AConversationStaysWithTheBackendThatHoldsItsPrefix()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a");
        await using InstantBackend b = await InstantBackend.StartAsync("b");
        await using InstantBackend c = await InstantBackend.StartAsync("c");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1), (c, 1)], o => o.Strategy = BalancingStrategies.RoundRobin);
        var conversations = Enumerable.Range(0, 6).Select(i => new List<object> { new { role = "system", content = "Be brief." }, new { role = "user", content = $"Topic {i}?" } }).ToList();
        var homes = new string[conversations.Count];

        for (int turn = 0; turn < 4; turn++)
        {
            for (int i = 0; i < conversations.Count; i++)
            {
                string answer = await ChatAsync(front, conversations[i], Ct);
                Assert.True(turn == 0 || answer == homes[i], $"conversation {i} moved from {homes[i]} to {answer} at turn {turn}");
                homes[i] = answer;
                conversations[i].Add(new { role = "assistant", content = answer });
                conversations[i].Add(new { role = "user", content = $"And then ({turn})?" });
            }
        }

        // Round-robin spread the first turns; affinity kept each conversation where it started.
        Assert.Equal(3, homes.Distinct().Count());

        // Its backend goes away: the conversation moves once, then stays where it went.
        InstantBackend home = new[] { a, b, c }.Single(x => "from " + x.Name == homes[0]);
        await home.StopAsync();
        await Eventually(async () => await StatusAsync(front, home.Name) == "unhealthy", TimeSpan.FromSeconds(10));
        string moved = await ChatAsync(front, conversations[0], Ct);
        Assert.NotEqual(homes[0], moved);
        conversations[0].Add(new { role = "assistant", content = moved });
        conversations[0].Add(new { role = "user", content = "Still there?" });
        Assert.Equal(moved, await ChatAsync(front, conversations[0], Ct));
    }

    [Fact]
    public async Task TheLatencyStrategyPrefersTheBackendThatAnswersFirst()
    {
        await using InstantBackend slow = await InstantBackend.StartAsync("slow");
        await using InstantBackend fast = await InstantBackend.StartAsync("fast");
        slow.FirstTokenDelay = TimeSpan.FromMilliseconds(200);
        await using TestServer front = await FrontAsync([(slow, 1), (fast, 1)], o =>
        {
            o.Strategy = BalancingStrategies.Latency;
            o.PrefixAffinity = false;
        });

        for (int i = 0; i < 40; i++)
        {
            await ChatAsync(front, $"q{i}", Ct);
        }

        // Both are measured first (no measurement counts as fastest); then the slow one only wins a draw of two when it is
        // picked twice, which two backends never allow.
        Assert.InRange(slow.Requests, 1, 4);
        using JsonDocument listing = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/backends", Ct));
        JsonElement pool = listing.RootElement.GetProperty("pools")[0];
        Assert.Equal("Latency", pool.GetProperty("strategy").GetString());
        double slowMs = pool.GetProperty("backends").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "slow").GetProperty("time_to_first_token_ms").GetDouble();
        Assert.True(slowMs >= 150, $"slow backend's average {slowMs} ms");
    }

    [Fact]
    public async Task ModelListsNameTheBackendsThatServeEachModel()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a", "chat", "coder");
        await using InstantBackend b = await InstantBackend.StartAsync("b", "chat");
        await using TestServer front = await FrontAsync([(a, 1), (b, 1)]);

        using JsonDocument models = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/models", Ct));
        var byId = models.RootElement.GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("owned_by").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["chat"] = "a,b", ["coder"] = "a", ["stories"] = "offgrid" }, byId);
        using JsonDocument one = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/models/coder", Ct));
        Assert.Equal(["a"], one.RootElement.GetProperty("backends").EnumerateArray().Select(e => e.GetString()));

        using JsonDocument tags = JsonDocument.Parse(await front.Http.GetStringAsync("/api/tags", Ct));
        JsonElement chat = tags.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "chat");
        Assert.Equal(a.Endpoint + "/", chat.GetProperty("remote_host").GetString());
        Assert.Equal(["a", "b"], chat.GetProperty("backends").EnumerateArray().Select(e => e.GetString()));
        using HttpResponseMessage show = await front.Http.PostAsJsonAsync("/api/show", new { model = "coder" }, Ct);
        Assert.Equal("coder", (await show.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("remote_model").GetString());

        using JsonDocument backends = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/backends", Ct));
        JsonElement first = backends.RootElement.GetProperty("data")[0];
        Assert.Equal(("a", "openai", a.Endpoint + "/"), (first.GetProperty("name").GetString(), first.GetProperty("kind").GetString(), first.GetProperty("endpoint").GetString()));
        Assert.Equal(["chat", "coder"], first.GetProperty("models").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["chat", "coder"], backends.RootElement.GetProperty("pools").EnumerateArray().Select(p => p.GetProperty("model").GetString()));
        Assert.Equal("LeastRequests", backends.RootElement.GetProperty("pools")[0].GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task ABackendDownAtStartJoinsTheModelListsWhenItComesUp()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a", "chat");
        await using InstantBackend late = await InstantBackend.StartAsync("late", "coder");
        await late.StopAsync();
        await using TestServer front = await FrontAsync([(a, 1), (late, 1)]);

        Assert.DoesNotContain("coder", await ModelIdsAsync(front));
        using HttpResponseMessage missing = await front.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "coder", messages = new[] { new { role = "user", content = "hi" } } }, Ct);
        Assert.Equal(404, (int)missing.StatusCode);

        await late.RestartAsync();
        await Eventually(async () => (await ModelIdsAsync(front)).Contains("coder"), TimeSpan.FromSeconds(10));

        // Listed once it answers its model list; requests go there once its health probe passes too.
        await Eventually(async () => await StatusAsync(front, "late") == "healthy", TimeSpan.FromSeconds(10));
        using HttpResponseMessage found = await front.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "coder", messages = new[] { new { role = "user", content = "hi" } } }, Ct);
        Assert.Equal("from late", (await found.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task ABackendThatRefusesToListItsModelsIsReportedAndTheOthersServe()
    {
        await using InstantBackend a = await InstantBackend.StartAsync("a", "chat");
        await using InstantBackend odd = await InstantBackend.StartAsync("odd", "coder");
        odd.ListingStatus = 400;
        await using TestServer front = await FrontAsync([(a, 1), (odd, 1)]);

        Assert.Equal(["chat", "stories"], (await ModelIdsAsync(front)).Order(StringComparer.Ordinal));
        Assert.Equal("from a", await ChatAsync(front, "hi", Ct));
        using JsonDocument listing = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/backends", Ct));
        JsonElement refused = listing.RootElement.GetProperty("data").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "odd");
        Assert.Contains("(http://127.0.0.1:" + odd.BaseUri.Port + "/v1/) rejected the request (400)", refused.GetProperty("last_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadBackendSettingsStopTheStartWithEveryProblem()
    {
        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(
            builder => builder.Services.Configure<OffGridServerOptions>(o =>
            {
                o.Backends["gpu1"] = new RemoteBackendOptions { Endpoint = "gpu1:8080" };
                o.Balancing.Strategy = "Fastest";
                o.Balancing.Models["chat"] = "Weighted";
            }),
            _ => { }));

        Assert.Contains("Server:Backends:gpu1: Endpoint must be an absolute http or https address (was 'gpu1:8080').", invalid.Failures);
        Assert.Contains(invalid.Failures, f => f.StartsWith("Server:Balancing:Strategy names no balancing strategy: 'Fastest' (known: FirstAlphabetical, Latency, LeastRequests, PowerOfTwoChoices, Random, RoundRobin, Weighted)", StringComparison.Ordinal));
        Assert.Equal(2, invalid.Failures.Count());
    }

    internal static Task<TestServer> FrontAsync(
        IEnumerable<(InstantBackend Backend, int Weight)> backends, Action<BalancingOptions>? balancing = null, Action<RemoteBackendOptions>? backend = null) =>
        TestServer.StartAsync(
            builder => builder.Services.Configure<OffGridServerOptions>(o =>
            {
                foreach ((InstantBackend instant, int weight) in backends)
                {
                    var options = new RemoteBackendOptions { Endpoint = instant.Endpoint, Weight = weight };
                    backend?.Invoke(options);
                    o.Backends[instant.Name] = options;
                }

                o.Balancing.HealthCheckInterval = TimeSpan.FromMilliseconds(200);
                o.Balancing.HealthCheckTimeout = TimeSpan.FromSeconds(2);
                o.Balancing.UnhealthyAfterFailedChecks = 1;
                balancing?.Invoke(o.Balancing);
            }),
            app =>
            {
                app.MapOpenAi();
                app.MapOllama();
                app.MapOffGrid();
                app.MapPrometheusScrapingEndpoint("/metrics");
            });

    internal static RemoteBackends Registry(TestServer front) => front.App.Services.GetRequiredService<RemoteBackends>();

    private static async Task<IChatClient> PipelineAsync(TestServer front)
    {
        using ModelSession session = await front.App.Services.GetRequiredService<ModelAccess>().OpenAsync("chat", keepAlive: null, Ct);
        return session.ChatClient;
    }

    private static object Request(object conversation, bool stream) => new
    {
        model = "chat",
        messages = conversation is string text ? new object[] { new { role = "user", content = text } } : conversation,
        stream,
    };

    private static async Task<(int Status, JsonElement Body)> PostAsync(TestServer front, object conversation)
    {
        using HttpResponseMessage response = await front.Http.PostAsJsonAsync("/v1/chat/completions", Request(conversation, stream: false), Ct);
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static async Task<string> ChatAsync(TestServer front, object conversation, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await front.Http.PostAsJsonAsync("/v1/chat/completions", Request(conversation, stream: false), cancellationToken);
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    /// <summary>Reads a streamed answer's data lines until it ends, breaks, or <paramref name="stopAfter"/> lines are read.</summary>
    private static async Task<List<string>> StreamAsync(TestServer front, string prompt, int stopAfter)
    {
        var lines = new List<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Request(prompt, stream: true)) };
        using HttpResponseMessage response = await front.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        try
        {
            while (lines.Count < stopAfter && await reader.ReadLineAsync(Ct) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    lines.Add(line);
                }
            }
        }
        catch (IOException)
        {
            // The server broke the stream off: what arrived before is the answer.
        }

        return lines;
    }

    private static async Task<string[]> ModelIdsAsync(TestServer front)
    {
        using JsonDocument models = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/models", Ct));
        return [.. models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static async Task<string?> StatusAsync(TestServer front, string backend)
    {
        using JsonDocument listing = JsonDocument.Parse(await front.Http.GetStringAsync("/v1/backends", Ct));
        return listing.RootElement.GetProperty("data").EnumerateArray().Single(b => b.GetProperty("name").GetString() == backend).GetProperty("status").GetString();
    }

    /// <summary>Waits until every backend's in-flight count is zero: an aborted HTTP request reaches the server a moment later.</summary>
    private static Task AssertIdleAsync(RemoteBackends registry) =>
        Eventually(() => Task.FromResult(registry.Backends.All(b => b.InFlight == 0)), TimeSpan.FromSeconds(10));

    internal static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {timeout}");
            await Task.Delay(50, Ct);
        }
    }
}
