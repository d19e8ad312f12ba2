using System.Net;
using System.Net.Sockets;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>A real HTTP server on 127.0.0.1 and a free port, answering each path with a handler; stopped on dispose.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, Func<HttpListenerContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer()
    {
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    public Uri Url(string path) => new(BaseAddress, path);

    public void Map(string path, Func<HttpListenerContext, Task> handler)
    {
        lock (_routes)
        {
            _routes[path] = handler;
        }
    }

    public void MapContent(string path, string contentType, byte[] body) => Map(path, async context =>
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    });

    public void MapRedirect(string path, string location) => Map(path, context =>
    {
        context.Response.StatusCode = 302;
        context.Response.RedirectLocation = location;
        context.Response.Close();
        return Task.CompletedTask;
    });

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with an exception when the listener is closed under it.
        }
    }

    private async Task ServeAsync()
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

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        Func<HttpListenerContext, Task>? handler;
        lock (_routes)
        {
            _routes.TryGetValue(context.Request.Url!.AbsolutePath, out handler);
        }

        try
        {
            if (handler is null)
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                return;
            }

            await handler(context);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Shutting down while a slow handler was still writing.
        }
        catch (HttpListenerException)
        {
            // The client gave up (for example after its own timeout).
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
