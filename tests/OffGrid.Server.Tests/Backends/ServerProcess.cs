using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Backends;

/// <summary>
/// A real <c>offgrid-server</c> process on a free loopback port with an OFFGRID_HOME of its own, the llama.cpp runtime this
/// test process installed (OFFGRID_LLAMA_PATH), and the given models; killed (not stopped) when the test wants a crash.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly string s_assembly = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OffGridServerAssembly").Value!;

    private static readonly Lazy<Task<LlamaRuntime>> s_runtime = new(() => LlamaRuntime.LoadAsync(new LlamaRuntimeOptions
    {
        InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"),
        Variant = LlamaRuntimeVariant.Cpu,
    }));

    private readonly Process _process;
    private readonly string _home;
    private readonly bool _ownsHome;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string home, bool ownsHome, Uri baseUri)
    {
        _process = process;
        _home = home;
        _ownsHome = ownsHome;
        BaseUri = baseUri;
    }

    /// <summary>The server's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The server's OFFGRID_HOME.</summary>
    public string Home => _home;

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>What the process wrote so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The server's root, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Starts a server that serves each of <paramref name="models"/> (name to GGUF path) and waits until it is healthy.</summary>
    /// <param name="models">The models, by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the server.</param>
    /// <param name="settings">More command-line switches, which win over the defaults here (such as a larger context).</param>
    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken, params string[] settings) =>
        StartAsync(TestPaths.NewTempDir("offgrid-backend"), ownsHome: true, models, cancellationToken, settings);

    /// <summary>Starts a server on an OFFGRID_HOME the test keeps (to start the server again on the same files after a crash).</summary>
    /// <param name="home">The OFFGRID_HOME, left in place when the process ends.</param>
    /// <param name="models">The models, by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the server.</param>
    /// <param name="settings">More command-line switches.</param>
    public static Task<ServerProcess> StartInAsync(string home, IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken, params string[] settings) =>
        StartAsync(home, ownsHome: false, models, cancellationToken, settings);

    private static async Task<ServerProcess> StartAsync(string home, bool ownsHome, IReadOnlyDictionary<string, string> models, CancellationToken cancellationToken, string[] settings)
    {
        LlamaRuntime runtime = await s_runtime.Value;
        int port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["OFFGRID_HOME"] = home,
                ["OFFGRID_LLAMA_PATH"] = runtime.LibraryDirectory,
                ["HF_ENDPOINT"] = "http://127.0.0.1:9/",
            },
            ArgumentList =
            {
                s_assembly,
                "--Server:Host=127.0.0.1",
                $"--Server:Port={port.ToString(CultureInfo.InvariantCulture)}",
                "--Server:Pool:Engine:Threads=1",
                "--Server:Pool:Engine:ContextSize=512",
                "--Server:Pool:Engine:ParallelSequences=2",
                "--Logging:LogLevel:Default=Warning",
            },
        };
        foreach ((string name, string path) in models)
        {
            start.ArgumentList.Add($"--Server:Models:{name}={path}");
        }

        foreach (string setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var server = new ServerProcess(Process.Start(start)!, home, ownsHome, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync(cancellationToken);
        return server;
    }

    /// <summary>Kills the process at once, as a crash or a pulled cable would end it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.Yield();
        if (!_ownsHome)
        {
            return;
        }

        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A file the killed process held; the temp folder is cleaned by the test run.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using HttpResponseMessage health = await http.GetAsync("health", cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Busy starting.
            }

            await Task.Delay(200, cancellationToken);
        }

        Kill();
        lock (_output)
        {
            throw new TimeoutException($"offgrid-server on {BaseUri} did not become healthy: {_output}");
        }
    }
}
