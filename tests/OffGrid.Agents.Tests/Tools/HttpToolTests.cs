using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Agents.Tools;

namespace OffGrid.Agents.Tests.Tools;

/// <summary>HTTP tools against a real Kestrel server on loopback, reached as 127.0.0.1 (allowed) and localhost (not).</summary>
public sealed class HttpToolTests : IAsyncLifetime
{
    private readonly AgentsHome _home = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication _app = null!;
    private Toolbox _toolbox = null!;
    private int _port;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            _requests.Enqueue($"{context.Request.Host.Host} {context.Request.Method} {context.Request.Path}");
            return next(context);
        });
        _app.MapGet("/items/{id}", (string id, string? q) => $"item {id} q={q}");
        _app.MapPost("/echo", async (HttpRequest request) =>
            $"{request.Headers["X-Caller"]} {await new StreamReader(request.Body).ReadToEndAsync()}");
        _app.MapGet("/redirect-inside", () => Results.Redirect("/items/7"));
        _app.MapGet("/redirect-out", () => Results.Redirect($"http://localhost:{_port}/items/1"));
        _app.MapGet("/redirect-file", () => Results.Redirect("file:///etc/passwd"));
        _app.MapGet("/big", () => new string('x', 1_000_000));
        _app.MapGet("/hang", async (CancellationToken token) => await Task.Delay(Timeout.Infinite, token));
        _app.MapGet("/missing", () => Results.NotFound("no such thing"));
        await _app.StartAsync(Cancel);
        _port = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _toolbox = new Toolbox(_home.Options);
    }

    public async ValueTask DisposeAsync()
    {
        await _toolbox.DisposeAsync();
        await _app.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task UrlValuesArePercentEncoded()
    {
        AIFunction item = Tool("""{"name":"item","parameters":{"type":"object","properties":{"id":{"type":"string"},"q":{"type":"string"}}},"http":{"url":"http://127.0.0.1:PORT/items/{id}?q={q}"}}""");

        // Kestrel keeps an encoded '/' encoded in a route value: the value stayed inside its path segment ('?' stays encoded;
        // .NET's Uri writes '=' as is, which means the same inside a path).
        Assert.Equal("item ..%2Fadmin?x=1 q=a&b=c", await item.InvokeAsync(new AIFunctionArguments { ["id"] = "../admin?x=1", ["q"] = "a&b=c" }, Cancel));
        Assert.Equal("127.0.0.1 GET /items/..%2Fadmin%3Fx=1", Assert.Single(_requests));
    }

    [Fact]
    public async Task TheBodyTemplateKeepsTypesAndHeadersAreFilledIn()
    {
        AIFunction post = Tool("""
            {"name":"post","parameters":{"type":"object","properties":{"n":{"type":"integer"},"who":{"type":"string"}}},
             "http":{"method":"POST","url":"http://127.0.0.1:PORT/echo","headers":{"X-Caller":"agent {who}"},"body":{"count":"{n}","text":"hello {who}","list":["{n}"]}}}
            """);

        string output = (string)(await post.InvokeAsync(new AIFunctionArguments { ["n"] = 3, ["who"] = "ada \"quoted\"" }, Cancel))!;

        Assert.Equal("agent ada \"quoted\" ", output[..(output.IndexOf('{') )]);
        JsonElement body = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement;
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        Assert.Equal("hello ada \"quoted\"", body.GetProperty("text").GetString());
        Assert.Equal(3, body.GetProperty("list")[0].GetInt32());
    }

    [Fact]
    public async Task RedirectsAreFollowedOnlyToAllowedHosts()
    {
        Assert.Equal("item 7 q=", await Tool("""{"name":"inside","http":{"url":"http://127.0.0.1:PORT/redirect-inside"}}""").InvokeAsync(new AIFunctionArguments(), Cancel));

        var outside = await Assert.ThrowsAsync<ToolInvocationException>(async () =>
            await Tool("""{"name":"out","http":{"url":"http://127.0.0.1:PORT/redirect-out"}}""").InvokeAsync(new AIFunctionArguments(), Cancel));
        Assert.Equal($"'out' was redirected to localhost:{_port}, which is not among its allowed hosts (127.0.0.1:{_port}); the request was not sent.", outside.Message);
        Assert.DoesNotContain(_requests, r => r.StartsWith("localhost", StringComparison.Ordinal));

        var file = await Assert.ThrowsAsync<ToolInvocationException>(async () =>
            await Tool("""{"name":"file","http":{"url":"http://127.0.0.1:PORT/redirect-file"}}""").InvokeAsync(new AIFunctionArguments(), Cancel));
        Assert.Equal("'file' was redirected to file:, which is not http or https; the request was not sent.", file.Message);
    }

    [Fact]
    public async Task AHostFromAnArgumentMustBeAllowed()
    {
        AIFunction fetch = Tool("""{"name":"fetch","parameters":{"type":"object","properties":{"host":{"type":"string"}}},"http":{"url":"http://{host}:PORT/items/1","allowedHosts":["127.0.0.1"]}}""");

        Assert.Equal("item 1 q=", await fetch.InvokeAsync(new AIFunctionArguments { ["host"] = "127.0.0.1" }, Cancel));
        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await fetch.InvokeAsync(new AIFunctionArguments { ["host"] = "localhost" }, Cancel));
        Assert.Equal($"'fetch' would reach localhost:{_port}, which is not among its allowed hosts (127.0.0.1); the request was not sent.", error.Message);
        Assert.Throws<ToolDefinitionException>(() => ToolDefinition.Parse("""{"name":"fetch","parameters":{"type":"object","properties":{"host":{"type":"string"}}},"http":{"url":"http://{host}/"}}"""));
    }

    [Fact]
    public async Task AResponseOverTheCapIsRefused()
    {
        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () =>
            await Tool("""{"name":"big","http":{"url":"http://127.0.0.1:PORT/big","maxResponseBytes":1000}}""").InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.StartsWith("'big': the response is", error.Message, StringComparison.Ordinal);
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatHangsMeetsTheTimeout()
    {
        long started = Stopwatch.GetTimestamp();

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () =>
            await Tool("""{"name":"slow","http":{"url":"http://127.0.0.1:PORT/hang","timeoutSeconds":1}}""").InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Equal("'slow' got no complete answer within 1 s.", error.Message);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task AnErrorStatusIsReportedWithTheBody()
    {
        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () =>
            await Tool("""{"name":"missing","http":{"url":"http://127.0.0.1:PORT/missing"}}""").InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Equal($"'missing': GET http://127.0.0.1:{_port}/missing answered 404 Not Found: \"no such thing\"", error.Message);
    }

    private AIFunction Tool(string json) => _toolbox.CreateTool(ToolDefinition.Parse(json.Replace("PORT", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
}
