using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OffGrid.AspNetCore.Tests.Backends;

/// <summary>What an <see cref="InstantBackend"/> does with the next chat requests.</summary>
internal enum BackendBehavior
{
    /// <summary>Streams its own name as the answer, at once.</summary>
    Answer,

    /// <summary>500 before anything is sent.</summary>
    Fail,

    /// <summary>429, as a busy server does.</summary>
    Busy,

    /// <summary>400 with OpenAI's error body: the request is refused as invalid.</summary>
    Reject,

    /// <summary>Accepts the request and never answers (until the client gives up).</summary>
    Hang,

    /// <summary>Sends the first chunk, then drops the connection.</summary>
    BreakAfterFirstChunk,

    /// <summary>200 with a body that is not OpenAI's API (an HTML page).</summary>
    Garbage,
}

/// <summary>
/// A lightweight OpenAI-compatible backend on real Kestrel (loopback, free port): <c>GET /v1/models</c>, and
/// <c>POST /v1/chat/completions</c> that answers instantly with the backend's own name, streamed as OpenAI's server-sent
/// events, or misbehaves as <see cref="Behavior"/> says. It stands in for a fast llama-server where the balancer, not the
/// model, is under test; it can be stopped and started again on the same port.
/// </summary>
internal sealed class InstantBackend : IAsyncDisposable
{
    private readonly string[] _models;
    private WebApplication? _app;
    private int _requests;
    private int _listings;

    private InstantBackend(string name, string[] models)
    {
        Name = name;
        _models = models;
    }

    public string Name { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The OpenAI endpoint, <c>http://127.0.0.1:port/v1</c>.</summary>
    public string Endpoint => new Uri(BaseUri, "v1").ToString();

    public BackendBehavior Behavior { get; set; }

    /// <summary>How long the first chunk waits (prompt processing).</summary>
    public TimeSpan FirstTokenDelay { get; set; }

    /// <summary>How long each chunk after the first waits (generation).</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>The status <c>GET /v1/models</c> (the model listing and health probe) answers with: 200 (the list) or an error.</summary>
    public int ListingStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>Chat requests received, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Model listings received (the balancer's health probes and model discovery).</summary>
    public int Listings => Volatile.Read(ref _listings);

    /// <summary>The bodies of the chat requests.</summary>
    public ConcurrentQueue<JsonElement> Bodies { get; } = new();

    public static async Task<InstantBackend> StartAsync(string name, params string[] models)
    {
        var backend = new InstantBackend(name, models.Length == 0 ? ["chat"] : models);
        await backend.StartAsync(0);
        return backend;
    }

    /// <summary>Stops listening, as a crashed server does.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public Task RestartAsync() => StartAsync(BaseUri.Port);

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartAsync(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.MapGet("/v1/models", () =>
        {
            Interlocked.Increment(ref _listings);
            return ListingStatus == StatusCodes.Status200OK
                ? Results.Json(new { @object = "list", data = _models.Select(m => new { id = m, @object = "model", created = 0, owned_by = Name }) })
                : Results.Json(new { error = new { message = "no model list here", type = "invalid_request_error" } }, statusCode: ListingStatus);
        });
        app.MapPost("/v1/chat/completions", ChatAsync);
        await app.StartAsync();
        BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        _app = app;
    }

    private async Task ChatAsync(HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        JsonElement body = (await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted)).RootElement.Clone();
        Bodies.Enqueue(body);
        switch (Behavior)
        {
            case BackendBehavior.Fail:
                await Error(http, StatusCodes.Status500InternalServerError, "the backend broke");
                return;
            case BackendBehavior.Busy:
                await Error(http, StatusCodes.Status429TooManyRequests, "too many requests");
                return;
            case BackendBehavior.Reject:
                await Error(http, StatusCodes.Status400BadRequest, "the prompt is too long");
                return;
            case BackendBehavior.Garbage:
                http.Response.ContentType = "text/html";
                await http.Response.WriteAsync("<!DOCTYPE html><html><body>not an API</body></html>", http.RequestAborted);
                return;
            case BackendBehavior.Hang:
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        if (FirstTokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(FirstTokenDelay, http.RequestAborted);
        }

        string model = body.GetProperty("model").GetString()!;
        http.Response.ContentType = "text/event-stream";
        await Event(http, Chunk(model, new { role = "assistant", content = "from " }, null));
        if (Behavior == BackendBehavior.BreakAfterFirstChunk)
        {
            http.Abort();
            return;
        }

        if (ChunkDelay > TimeSpan.Zero)
        {
            await Task.Delay(ChunkDelay, http.RequestAborted);
        }

        await Event(http, Chunk(model, new { content = Name }, "stop"));
        await Event(http, new { id = "c", @object = "chat.completion.chunk", created = 0, model, choices = Array.Empty<object>(), usage = new { prompt_tokens = 3, completion_tokens = 2, total_tokens = 5 } });
        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    private static object Chunk(string model, object delta, string? finish) =>
        new { id = "c", @object = "chat.completion.chunk", created = 0, model, choices = new[] { new { index = 0, delta, finish_reason = finish } } };

    private static async Task Event(HttpContext http, object data)
    {
        await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(data)}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static Task Error(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error = new { message, type = "invalid_request_error" } }, http.RequestAborted);
    }
}
