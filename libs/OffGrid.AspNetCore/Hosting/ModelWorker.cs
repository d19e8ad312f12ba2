using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Http;
using OffGrid.Hub;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// Runs the llama.cpp engines of the local models in a worker process when <see cref="OffGridServerOptions.Isolation"/> is
/// <see cref="ModelIsolation.Process"/>: this program started again (<see cref="ModelWorkerRole.StartInfo"/>) with the same
/// configuration, isolation off, on 127.0.0.1 at a random port and with a key of its own per start. The worker is reached as
/// a remote OffGrid backend; when it exits (a native crash, <c>kill -9</c>) the requests in flight fail with
/// <see cref="BackendUnavailableException"/> and it is started again after a <see cref="RestartBackoff"/>. A running worker
/// is pinged every second (<c>/health</c>, any answer will do): one that stays silent (stopped, deadlocked) is reported
/// unavailable after half of <see cref="OffGridServerOptions.WorkerHangTimeout"/> (at most 5 s), and killed — then restarted
/// as after a crash — after all of it.
/// </summary>
/// <remarks>Thread-safe. With isolation off it does nothing.</remarks>
internal sealed class ModelWorker : BackgroundService
{
    /// <summary>The worker's name in error messages and logs.</summary>
    public const string BackendName = "model worker";

    private static readonly TimeSpan s_pingInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxSilenceBeforeUnavailable = TimeSpan.FromSeconds(5);

    private readonly OffGridServerOptions _options;
    private readonly ILogger<ModelWorker> _logger;
    private readonly object _gate = new();
    private TaskCompletionSource<RemoteBackend> _ready = NewReady();
    private volatile string? _silence; // set while the running worker does not answer its pings: why it is unavailable
    private Process? _serving; // the published worker's process, under _gate

    public ModelWorker(IOptions<OffGridServerOptions> options, ILogger<ModelWorker> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Whether local models run in the worker.</summary>
    public bool IsEnabled => _options.Isolation == ModelIsolation.Process;

    /// <summary>Whether a worker is running and healthy now.</summary>
    public bool IsReady => Volatile.Read(ref _ready).Task.IsCompletedSuccessfully && _silence is null;

    /// <summary>Why the worker cannot serve now (starting, or not answering), for <c>/health</c>; <see langword="null"/> when it can.</summary>
    public string? Problem => _silence ?? (IsReady ? null : "The model worker process is starting.");

    /// <summary>How many times a worker has been started.</summary>
    public int Starts { get; private set; }

    /// <summary>The running worker as a backend, waiting for a (re)start for up to the time a first token may take.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="BackendUnavailableException">No worker became healthy in time.</exception>
    public async Task<RemoteBackend> GetBackendAsync(CancellationToken cancellationToken)
    {
        if (_silence is { } silence)
        {
            throw new BackendUnavailableException(BackendName, BackendFailure.Unhealthy, silence);
        }

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
    /// Sends an administrator's request about the worker's own state (its model pool: <c>/v1/pool</c>, pin, unpin, swap, unload) to the
    /// running worker at the same path, and answers with the worker's status and body, so that it acts where the models are.
    /// </summary>
    /// <param name="request">The request as the server received it (authorized there); its body is sent on unread.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="BackendUnavailableException">No worker is running, or it died before answering.</exception>
    public async Task<IResult> ForwardAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string path = (request.PathBase + request.Path).Value!.TrimStart('/') + request.QueryString.Value;
        using HttpContent? body = HttpMethods.IsGet(request.Method) ? null : new StreamContent(request.Body);
        body?.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        (int status, string? contentType, string text) = await SendAsync(new HttpMethod(request.Method), path, body, cancellationToken).ConfigureAwait(false);
        return Results.Content(text, contentType ?? "application/json", statusCode: status);
    }

    /// <summary>
    /// Sends a request of the server's own making about the worker's state (such as <c>GET v1/pool</c>) to the running worker
    /// and reads its JSON answer with <see cref="ServerJson.Options"/>.
    /// </summary>
    /// <typeparam name="T">The answer's shape.</typeparam>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path relative to the worker's root, such as <c>v1/pool</c>.</param>
    /// <param name="body">Sent as JSON; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="BackendUnavailableException">No worker is running, or it died before answering.</exception>
    /// <exception cref="ApiException">The worker refused the request: its status and message.</exception>
    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using HttpContent? content = body is null ? null : JsonContent.Create(body, body.GetType(), options: ServerJson.Options);
        (int status, _, string text) = await SendAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        if (status is < 200 or >= 300)
        {
            throw new ApiException(status, $"The model worker refused {method} /{path}: {HttpErrorMessage.Describe(text)}");
        }

        return JsonSerializer.Deserialize<T>(text, ServerJson.Options) ?? throw new BackendUnavailableException(BackendName, BackendFailure.BadResponse, $"The model worker answered {method} /{path} with null.");
    }

    private async Task<(int Status, string? ContentType, string Body)> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        RemoteBackend backend = await GetBackendAsync(cancellationToken).ConfigureAwait(false);
        using var message = new HttpRequestMessage(method, new Uri(backend.Endpoint, path)) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", backend.Options.ApiKey);
        try
        {
            using HttpResponseMessage response = await backend.Http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text);
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

            await WatchAsync(backend, process, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        finally
        {
            _silence = null;
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

    /// <summary>Pings the worker every second until it exits; kills it once it has been silent for <see cref="OffGridServerOptions.WorkerHangTimeout"/>.</summary>
    private async Task WatchAsync(RemoteBackend backend, Process process, CancellationToken stoppingToken)
    {
        TimeSpan hang = _options.WorkerHangTimeout;
        TimeSpan unavailable = TimeSpan.FromTicks(Math.Min(hang.Ticks / 2, s_maxSilenceBeforeUnavailable.Ticks));
        long lastAnswer = Stopwatch.GetTimestamp();
        Task exited = process.WaitForExitAsync(stoppingToken);
        while (!exited.IsCompleted)
        {
            using (var ping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                ping.CancelAfter(s_pingInterval);
                try
                {
                    using HttpResponseMessage answer = await backend.Http.GetAsync(backend.HealthUri, HttpCompletionOption.ResponseHeadersRead, ping.Token).ConfigureAwait(false);
                    lastAnswer = Stopwatch.GetTimestamp();
                    if (_silence is not null)
                    {
                        _logger.LogWarning("Model worker {Pid} answers again.", process.Id);
                        _silence = null;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    // Silent this second; an exited worker is noticed below.
                }
            }

            TimeSpan silent = Stopwatch.GetElapsedTime(lastAnswer);
            if (silent >= hang)
            {
                _logger.LogWarning("Model worker {Pid} has not answered for {Seconds:0} s (Server:WorkerHangTimeout); killing it.", process.Id, silent.TotalSeconds);
                process.Kill(entireProcessTree: true);

                // From now on it is a crashed worker: requests wait for the next one instead of being refused for its silence.
                _silence = null;
                break;
            }

            if (silent >= unavailable && _silence is null)
            {
                _silence = $"The model worker process has not answered for {silent.TotalSeconds:0} s; it is killed and started again after {hang.TotalSeconds:0} s of silence (Server:WorkerHangTimeout).";
                _logger.LogWarning("Model worker {Pid} has not answered for {Seconds:0} s; requests are refused until it answers or is restarted.", process.Id, silent.TotalSeconds);
            }

            await Task.WhenAny(exited, Task.Delay(s_pingInterval, stoppingToken)).ConfigureAwait(false);
        }

        await exited.ConfigureAwait(false);
    }

    private static TaskCompletionSource<RemoteBackend> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
