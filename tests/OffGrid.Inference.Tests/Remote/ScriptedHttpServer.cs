using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OffGrid.Inference.Tests.Remote;

/// <summary>
/// A real HTTP server on a free loopback port (the BCL's <see cref="HttpListener"/>) that answers each request with the
/// test's handler and records what it received: the other end of a remote backend's client, misbehaving on purpose.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, string, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ScriptedHttpServer(Func<HttpListenerContext, string, Task> handle)
    {
        _handle = handle;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Every request: method, path and body, in arrival order.</summary>
    public ConcurrentQueue<(string Method, string Path, string Body, string? Authorization)> Requests { get; } = new();

    /// <summary>The <c>OffGrid-Hops</c> header of every request, in arrival order.</summary>
    public ConcurrentQueue<string?> Hops { get; } = new();

    /// <summary>Cancelled when the server stops: handlers that hang wait on it.</summary>
    public CancellationToken Stopping => _stop.Token;

    public static Task WriteJsonAsync(HttpListenerContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentLength64 = bytes.Length;
        return context.Response.OutputStream.WriteAsync(bytes).AsTask();
    }

    /// <summary>Writes server-sent events one by one, flushing each.</summary>
    public static async Task WriteEventsAsync(HttpListenerContext context, IEnumerable<string> events)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.SendChunked = true;
        foreach (string data in events)
        {
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"));
            await context.Response.OutputStream.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        string path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue((context.Request.HttpMethod, path, body, context.Request.Headers["Authorization"]));
        Hops.Enqueue(context.Request.Headers["OffGrid-Hops"]);
        try
        {
            await _handle(context, path);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The handler aborted the connection on purpose, or the client went away.
            context.Response.Abort();
        }
    }
}
