using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// A <c>llama-server</c> process (llama.cpp's own OpenAI-compatible server) on a free loopback port, serving one model under an
/// alias; killed on dispose. The binary comes from <c>OFFGRID_LLAMA_SERVER</c>, else the bench build cache
/// (<c>~/.cache/offgrid-bench/llama.cpp-3.21.1/build/bin/llama-server</c>, built from the node-llama-cpp@3.21.1 source bundle).
/// </summary>
internal sealed class LlamaServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LlamaServerProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The binary the bench runs.</summary>
    public static string Binary => Environment.GetEnvironmentVariable("OFFGRID_LLAMA_SERVER") is { Length: > 0 } path
        ? path
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "offgrid-bench", "llama.cpp-3.21.1", "build", "bin", "llama-server");

    /// <summary>Starts the server with <paramref name="threads"/> threads, 4 slots of <paramref name="contextPerSlot"/> tokens, and waits until it is healthy.</summary>
    public static async Task<LlamaServerProcess> StartAsync(string model, string alias, int contextPerSlot, int threads = 1)
    {
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"llama-server is not at {Binary}; build it or set OFFGRID_LLAMA_SERVER.");
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-m", model, "--alias", alias, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "-t", threads.ToString(CultureInfo.InvariantCulture), "-np", "4", "-c", (4 * contextPerSlot).ToString(CultureInfo.InvariantCulture), "--log-file", Path.Combine(Path.GetTempPath(), $"llama-server-{port}.log") })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LlamaServerProcess(process, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited)
        {
            try
            {
                using HttpResponseMessage health = await http.GetAsync("health");
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Loading the model.
            }

            await Task.Delay(200);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"llama-server for {alias} did not become healthy.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
