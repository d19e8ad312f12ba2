using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Remote;

namespace OffGrid.Inference.Tests.Remote;

/// <summary>
/// <see cref="RemoteBackend"/>'s clients (Microsoft.Extensions.AI.OpenAI and OllamaSharp underneath) against real HTTP servers
/// that answer, fail, stall and break off on purpose: what reaches the backend, and which OffGrid exception each failure becomes.
/// </summary>
public sealed class RemoteBackendTests
{
    private static readonly string[] s_answer =
    [
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""",
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}""",
        """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
        "[DONE]",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RemoteBackend Backend(string endpoint, RemoteBackendKind kind = RemoteBackendKind.OpenAi, Action<RemoteBackendOptions>? configure = null)
    {
        var options = new RemoteBackendOptions { Kind = kind, Endpoint = endpoint, FirstTokenTimeout = TimeSpan.FromSeconds(20), ConnectTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        return new RemoteBackend("gpu1", options);
    }

    [Fact]
    public async Task AnswersStreamUnderTheBackendsNameForTheModelWithoutLocalSettings()
    {
        await using var server = new ScriptedHttpServer((context, path) => ScriptedHttpServer.WriteEventsAsync(context, s_answer));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1", configure: o => o.ApiKey = "sk-test");
        using IChatClient client = backend.CreateChatClient("qwen2.5-0.5b");
        var options = new ChatOptions { ModelId = "qwen", AdditionalProperties = new() { [LlamaChatOptions.KeepAliveKey] = TimeSpan.FromMinutes(5) } };

        ChatResponse response = await client.GetResponseAsync("Hi", options, Ct);

        Assert.Equal("Hello", response.Text);
        Assert.Equal(5, response.Usage?.TotalTokenCount);
        (string method, string path, string body, string? authorization) = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/v1/chat/completions", "Bearer sk-test"), (method, path, authorization));
        using JsonDocument sent = JsonDocument.Parse(body);
        Assert.Equal("qwen2.5-0.5b", sent.RootElement.GetProperty("model").GetString());
        Assert.True(sent.RootElement.GetProperty("stream").GetBoolean());
        Assert.False(sent.RootElement.TryGetProperty(LlamaChatOptions.KeepAliveKey, out _));
        Assert.Equal("openai", client.GetService<ChatClientMetadata>()?.ProviderName);
        Assert.Same(backend, client.GetService<RemoteBackend>());
    }

    [Fact]
    public async Task AnUnreachableBackendIsNamed()
    {
        string closed;
        await using (var server = new ScriptedHttpServer((_, _) => Task.CompletedTask))
        {
            closed = server.BaseUrl;
        }

        using RemoteBackend backend = Backend(closed + "/v1");
        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(BackendFailure.Unreachable, failure.Failure);
        Assert.Equal("gpu1", failure.Backend);
        Assert.StartsWith($"The backend 'gpu1' ({closed}/v1/) is unreachable while answering 'm':", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, BackendFailure.BadResponse)]
    [InlineData(401, BackendFailure.BadResponse)]
    [InlineData(404, BackendFailure.BadResponse)]
    [InlineData(429, BackendFailure.Overloaded)]
    [InlineData(503, BackendFailure.Overloaded)]
    [InlineData(504, BackendFailure.TimedOut)]
    public async Task ErrorStatusesBecomeTheBackendsFailures(int status, BackendFailure expected)
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteJsonAsync(context, status, """{"error":{"message":"no luck"}}"""));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1");

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(expected, failure.Failure);
        Assert.Contains("'gpu1'", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"({status})", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RemoteBackendKind.OpenAi, "garbage not json", false)]
    [InlineData(RemoteBackendKind.OpenAi, "{\"hits\":\"x\",\"nodes\":5}", true)]
    [InlineData(RemoteBackendKind.Ollama, "garbage not json", true)]
    [InlineData(RemoteBackendKind.Ollama, "{\"hits\":\"x\",\"nodes\":5}", false)]
    [InlineData(RemoteBackendKind.OffGrid, "<!DOCTYPE HTML><html><body>not an API</body></html>", false)]
    [InlineData(RemoteBackendKind.OffGrid, "{\"hits\":[{\"score\":\"NaN\"}]}", true)]
    public async Task A200WithABodyThatIsNotAChatAnswerIsABadAnswer(RemoteBackendKind kind, string body, bool stream)
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteJsonAsync(context, 200, body));
        using RemoteBackend backend = Backend(kind == RemoteBackendKind.OpenAi ? server.BaseUrl + "/v1" : server.BaseUrl, kind);
        IChatClient client = backend.CreateChatClient("m");

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(async () =>
        {
            if (stream)
            {
                await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync("Hi", cancellationToken: Ct))
                {
                }
            }
            else
            {
                await client.GetResponseAsync("Hi", cancellationToken: Ct);
            }
        });

        Assert.Equal(BackendFailure.BadResponse, failure.Failure);
        Assert.Contains("'gpu1'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("bad answer", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRequestCountsItsHopAndA508IsALoopWhoseMessageDoesNotNest()
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteJsonAsync(context, 508, """{"error":{"message":"The backend 'x' sent the request back in a loop"}}"""));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1");

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(BackendFailure.Loop, failure.Failure);
        Assert.Contains("'gpu1'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'x'", failure.Message, StringComparison.Ordinal);
        Assert.Equal("1", server.Hops.Single());
    }

    [Theory]
    [InlineData(RemoteBackendKind.OpenAi)]
    [InlineData(RemoteBackendKind.Ollama)]
    public async Task ARejectedRequestIsTheClientsError(RemoteBackendKind kind)
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteJsonAsync(
            context, 400, kind == RemoteBackendKind.Ollama ? """{"error":"the prompt is too long"}""" : """{"error":{"message":"the prompt is too long","type":"invalid_request_error"}}"""));
        using RemoteBackend backend = Backend(server.BaseUrl + (kind == RemoteBackendKind.OpenAi ? "/v1" : string.Empty), kind);

        InvalidRequestException rejected = await Assert.ThrowsAsync<InvalidRequestException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Contains("the prompt is too long", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("'gpu1'", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASilentBackendTimesOutAtTheFirstToken()
    {
        await using var server = new ScriptedHttpServer((_, _) => Task.Delay(Timeout.Infinite, default(CancellationToken)).WaitAsync(TimeSpan.FromMinutes(1)));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1", configure: o => o.FirstTokenTimeout = TimeSpan.FromMilliseconds(300));
        long started = Stopwatch.GetTimestamp();

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        Assert.Equal(BackendFailure.TimedOut, failure.Failure);
        Assert.Contains("within 0.3 s", failure.Message, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AConnectionLostMidAnswerFailsAfterTheFirstUpdate()
    {
        // A backend that dies mid-answer: its socket closes before the chunked body ends (HttpListener would end it cleanly).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task crash = Task.Run(async () =>
        {
            using TcpClient connection = await listener.AcceptTcpClientAsync(Ct);
            NetworkStream stream = connection.GetStream();
            var request = new byte[64 * 1024];
            _ = await stream.ReadAsync(request, Ct);
            string chunk = $"data: {s_answer[0]}\n\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(chunk):x}\r\n{chunk}\r\n"), Ct);
            await stream.FlushAsync(Ct);
            await Task.Delay(200, Ct);
        }, Ct);
        using RemoteBackend backend = Backend($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v1");
        var received = new List<string>();

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(async () =>
        {
            await foreach (ChatResponseUpdate update in backend.CreateChatClient("m").GetStreamingResponseAsync("Hi", cancellationToken: Ct))
            {
                received.Add(update.Text);
            }
        });

        await crash;
        Assert.Equal(["Hel"], received);
        Assert.Equal(BackendFailure.Unreachable, failure.Failure);
        Assert.Contains("closed the connection", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionClosedAfterAStreamedAnswerIsNotTheNextRequestsFailure()
    {
        // Like llama-server (cpp-httplib): each streamed answer says "Keep-Alive", then the connection closes. Here the close
        // waits for the next request to arrive on it, so that request always meets the race a busy client meets now and then.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int connections = 0;
        Task serve = Task.Run(async () =>
        {
            var open = new List<Task>();
            for (int i = 0; i < 2; i++)
            {
                TcpClient connection = await listener.AcceptTcpClientAsync(Ct);
                connections++;
                open.Add(Task.Run(async () =>
                {
                    using (connection)
                    {
                        NetworkStream stream = connection.GetStream();
                        if (await ReadRequestAsync(stream) is null)
                        {
                            return;
                        }

                        string events = string.Concat(s_answer.Select(data => $"data: {data}\n\n"));
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(
                            $"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nKeep-Alive: timeout=5, max=100\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(events):x}\r\n{events}\r\n0\r\n\r\n"), Ct);
                        await stream.FlushAsync(Ct);
                        await ReadRequestAsync(stream);
                    }
                }, Ct));
            }

            await Task.WhenAll(open);
        }, Ct);
        using RemoteBackend backend = Backend($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v1");
        IChatClient client = backend.CreateChatClient("m");

        ChatResponse first = await client.GetResponseAsync("Hi", cancellationToken: Ct);
        ChatResponse second = await client.GetResponseAsync("Hi again", cancellationToken: Ct);

        Assert.Equal("Hello", first.Text);
        Assert.Equal("Hello", second.Text);
        backend.Dispose();
        await serve.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, connections);
    }

    [Fact]
    public async Task ABackendThatClosesEveryConnectionUnansweredIsUnreachableAfterTwoResends()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var bodies = new List<string>();
        Task serve = Task.Run(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                using TcpClient connection = await listener.AcceptTcpClientAsync(Ct);
                bodies.Add(await ReadRequestAsync(connection.GetStream()) ?? string.Empty);
            }
        }, Ct);
        using RemoteBackend backend = Backend($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v1");

        BackendUnavailableException failure = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: Ct));

        await serve.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(BackendFailure.Unreachable, failure.Failure);
        Assert.Contains("The response ended prematurely", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, bodies.Count);
        Assert.All(bodies, body => Assert.Equal("Hi", JsonDocument.Parse(body).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()));
    }

    [Fact]
    public async Task TheCallersCancellationIsNotTheBackendsFailure()
    {
        await using var server = new ScriptedHttpServer((_, _) => Task.Delay(TimeSpan.FromMinutes(1)));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.CreateChatClient("m").GetResponseAsync("Hi", cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task RawPromptsNeedALocalModel()
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteEventsAsync(context, s_answer));
        using RemoteBackend backend = Backend(server.BaseUrl + "/v1");
        var options = new ChatOptions { AdditionalProperties = new() { [LlamaChatOptions.RawPromptKey] = true } };

        InvalidRequestException rejected = await Assert.ThrowsAsync<InvalidRequestException>(() => backend.CreateChatClient("m").GetResponseAsync("Once", options, Ct));

        Assert.Equal("prompt", rejected.ParamName);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ModelsAreListedUnderTheNamesClientsUse()
    {
        await using var server = new ScriptedHttpServer((context, path) => path switch
        {
            "/v1/models" => ScriptedHttpServer.WriteJsonAsync(context, 200, """{"object":"list","data":[{"id":"qwen","object":"model","created":0,"owned_by":"me"},{"id":"nomic","object":"model","created":0,"owned_by":"me"}]}"""),
            "/api/tags" => ScriptedHttpServer.WriteJsonAsync(context, 200, """{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-01-01T00:00:00Z","size":1,"digest":"d"},{"name":"qwen2.5:0.5b","model":"qwen2.5:0.5b","modified_at":"2025-01-01T00:00:00Z","size":1,"digest":"d"}]}"""),
            _ => ScriptedHttpServer.WriteJsonAsync(context, 404, "{}"),
        });
        using RemoteBackend openAi = Backend(server.BaseUrl + "/v1");
        using RemoteBackend ollama = Backend(server.BaseUrl, RemoteBackendKind.Ollama);
        using RemoteBackend configured = Backend(server.BaseUrl + "/v1", configure: o => o.Models["chat"] = "qwen");

        Assert.Equal(new Dictionary<string, string> { ["qwen"] = "qwen", ["nomic"] = "nomic" }, await openAi.GetModelsAsync(Ct));
        Assert.Equal(new Dictionary<string, string> { ["llama3.2"] = "llama3.2:latest", ["qwen2.5:0.5b"] = "qwen2.5:0.5b" }, await ollama.GetModelsAsync(Ct));
        Assert.Equal(new Dictionary<string, string> { ["chat"] = "qwen" }, await configured.GetModelsAsync(Ct));
        Assert.Equal(["/v1/models", "/api/tags"], server.Requests.Select(r => r.Path));
        Assert.Equal(new Uri(server.BaseUrl + "/api/version"), ollama.HealthUri);
        Assert.Equal(new Uri(server.BaseUrl + "/v1/models"), openAi.HealthUri);
    }

    [Fact]
    public async Task OllamaEmbeddingsComeBackAsVectors()
    {
        await using var server = new ScriptedHttpServer((context, _) => ScriptedHttpServer.WriteJsonAsync(context, 200, """{"model":"nomic","embeddings":[[0.5,0.25],[1,0]]}"""));
        using RemoteBackend backend = Backend(server.BaseUrl, RemoteBackendKind.Ollama);

        GeneratedEmbeddings<Embedding<float>> embeddings = await backend.CreateEmbeddingGenerator("nomic").GenerateAsync(["a", "b"], new EmbeddingGenerationOptions { ModelId = "served-name" }, Ct);

        Assert.Equal([0.5f, 0.25f], embeddings[0].Vector.ToArray());
        (_, string path, string body, _) = Assert.Single(server.Requests);
        Assert.Equal("/api/embed", path);
        Assert.Equal("nomic", JsonDocument.Parse(body).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void OptionsListEveryProblem()
    {
        var options = new RemoteBackendOptions { Endpoint = "ftp://x", Weight = 0, FirstTokenTimeout = TimeSpan.FromMinutes(5), RequestTimeout = TimeSpan.FromMinutes(1), Models = { ["chat"] = " " } };

        Assert.Equal(4, options.Validate().Count);
        ArgumentException invalid = Assert.Throws<ArgumentException>(() => new RemoteBackend("gpu1", options));
        Assert.StartsWith("The backend 'gpu1' is misconfigured: Endpoint must be an absolute http or https address (was 'ftp://x').", invalid.Message, StringComparison.Ordinal);
        Assert.Empty(new RemoteBackendOptions { Endpoint = "http://gpu1:8080/v1" }.Validate());
    }

    // One HTTP/1.1 request (headers, then a Content-Length body) read off a raw connection: its body, or null at the end of the stream.
    private static async Task<string?> ReadRequestAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headerEnd;
        while ((headerEnd = Encoding.ASCII.GetString([.. received]).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
        {
            int read = await stream.ReadAsync(buffer, Ct);
            if (read == 0)
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        string headers = Encoding.ASCII.GetString([.. received], 0, headerEnd);
        int length = headers.Split("\r\n").Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        while (received.Count < headerEnd + 4 + length)
        {
            int read = await stream.ReadAsync(buffer, Ct);
            if (read == 0)
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString([.. received], headerEnd + 4, length);
    }
}
