using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// Runs the llama.cpp engines of the local models in a worker process when <see cref="OffGridServerOptions.Isolation"/> is
/// <see cref="ModelIsolation.Process"/>: this program started again (<see cref="ModelWorkerRole.StartInfo"/>) with the same
/// configuration, isolation off, on 127.0.0.1 at a random port and with a key of its own per start. The worker is reached as
/// a remote OffGrid backend; when it exits (a native crash, <c>kill -9</c>) the requests in flight fail with
/// <see cref="BackendUnavailableException"/> and it is started again after a <see cref="RestartBackoff"/>.
/// </summary>
/// <remarks>Thread-safe. With isolation off it does nothing.</remarks>
internal sealed class ModelWorker : BackgroundService
{
    /// <summary>The worker's name in error messages and logs.</summary>
    public const string BackendName = "model worker";

    private readonly OffGridServerOptions _options;
    private readonly ILogger<ModelWorker> _logger;
    private readonly object _gate = new();
    private TaskCompletionSource<RemoteBackend> _ready = NewReady();
    private Process? _serving; // the published worker's process, under _gate

    public ModelWorker(IOptions<OffGridServerOptions> options, ILogger<ModelWorker> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Whether local models run in the worker.</summary>
    public bool IsEnabled => _options.Isolation == ModelIsolation.Process;

    /// <summary>Whether a worker is running and healthy now.</summary>
    public bool IsReady => Volatile.Read(ref _ready).Task.IsCompletedSuccessfully;

    /// <summary>How many times a worker has been started.</summary>
    public int Starts { get; private set; }

    /// <summary>The running worker as a backend, waiting for a (re)start for up to the time a first token may take.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="BackendUnavailableException">No worker became healthy in time.</exception>
    public async Task<RemoteBackend> GetBackendAsync(CancellationToken cancellationToken)
    {
        Task<RemoteBackend> ready = Volatile.Read(ref _ready).Task;

        // A worker that has just died stays published until its exit is handled (moments later); a request that arrives in
        // between waits for the next worker instead of failing on the dead one's closed port.
        while (ready.IsCompletedSuccessfully && HasServingWorkerExited())
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            ready = Volatile.Read(ref _ready).Task;
        }

        try
        {
            return await ready.WaitAsync(new RemoteBackendOptions().FirstTokenTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new BackendUnavailableException(BackendName, BackendFailure.Unhealthy, "The model worker process is not running (it is restarting after a crash, or cannot start); retry shortly.", ex);
        }
    }

    /// <summary>
    /// Sends an administrator's request about the worker's own state (its model pool: <c>/v1/pool</c>, pin, unpin, swap) to the
    /// running worker at the same path, and answers with the worker's status and body, so that it acts where the models are.
    /// </summary>
    /// <param name="request">The request as the server received it (authorized there); its body is sent on unread.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="BackendUnavailableException">No worker is running, or it died before answering.</exception>
    public async Task<IResult> ForwardAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RemoteBackend backend = await GetBackendAsync(cancellationToken).ConfigureAwait(false);
        string path = (request.PathBase + request.Path).Value!.TrimStart('/') + request.QueryString.Value;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(backend.Endpoint, path));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", backend.Options.ApiKey);
        if (!HttpMethods.IsGet(request.Method))
        {
            message.Content = new StreamContent(request.Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        try
        {
            using HttpResponseMessage response = await backend.Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Results.Content(body, response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            throw new BackendUnavailableException(BackendName, BackendFailure.Unreachable, $"The model worker process did not answer ({ex.Message}); retry shortly.", ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        var backoff = new RestartBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            long started = Stopwatch.GetTimestamp();
            await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            TimeSpan wait = backoff.Next(Stopwatch.GetElapsedTime(started));
            _logger.LogWarning("The model worker process exited; starting it again in {Backoff} ms.", (int)wait.TotalMilliseconds);
            await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts one worker, publishes it once healthy, and returns when it exits (or the server stops, killing it).</summary>
    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        int port = FreePort();
        string key = RandomNumberGenerator.GetHexString(64, lowercase: true);
        ProcessStartInfo start = ModelWorkerRole.StartInfo(port, key);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the model worker ({start.FileName}).");
        Starts++;
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                _logger.LogWarning("model worker: {Line}", e.Data);
            }
        };
        process.OutputDataReceived += static (_, _) => { }; // its banner and log; read so that the pipe never fills
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using var backend = new RemoteBackend(BackendName, new RemoteBackendOptions
        {
            Kind = RemoteBackendKind.OffGrid,
            Endpoint = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/",
            ApiKey = key,
        });
        try
        {
            if (await WaitUntilHealthyAsync(backend, process, stoppingToken).ConfigureAwait(false))
            {
                _logger.LogInformation("Model worker {Pid} is serving on 127.0.0.1:{Port}.", process.Id, port);
                lock (_gate)
                {
                    _serving = process;
                    _ready.TrySetResult(backend);
                }
            }

            await process.WaitForExitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        finally
        {
            lock (_gate)
            {
                _serving = null;
                if (_ready.Task.IsCompleted)
                {
                    Volatile.Write(ref _ready, NewReady());
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private bool HasServingWorkerExited()
    {
        lock (_gate)
        {
            return _serving is { HasExited: true };
        }
    }

    private static async Task<bool> WaitUntilHealthyAsync(RemoteBackend backend, Process process, CancellationToken cancellationToken)
    {
        while (!process.HasExited)
        {
            try
            {
                using HttpResponseMessage health = await backend.Http.GetAsync(backend.HealthUri, cancellationToken).ConfigureAwait(false);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private static TaskCompletionSource<RemoteBackend> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
