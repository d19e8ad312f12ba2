using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
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
/// as after a crash — after all of it. The pool changes an administrator made through the server (swaps, pins: <see cref="ForwardAsync"/>)
/// are kept here (<see cref="WorkerPoolJournal"/>) and given to a restarted worker before it is published, so that a crash does not
/// undo them; preloaded models the worker loads and pins again itself.
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
    private readonly WorkerPoolJournal _journal = new();
    private TaskCompletionSource<RemoteBackend> _ready = NewReady();
    private volatile string? _silence; // set while the running worker does not answer its pings: why it is unavailable
    private Process? _serving; // the published worker's process, under _gate
    private volatile string? _lastExit; // how the last worker ended (exit code or signal), once one has

    public ModelWorker(IOptions<OffGridServerOptions> options, ILogger<ModelWorker> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Whether local models run in the worker.</summary>
    public bool IsEnabled => _options.Isolation == ModelIsolation.Process;

    /// <summary>Whether a worker is running and healthy now.</summary>
    public bool IsReady => Volatile.Read(ref _ready).Task.IsCompletedSuccessfully && _silence is null;

    /// <summary>Why the worker cannot serve now (starting, restarting after an exit, or not answering), for <c>/health</c>; <see langword="null"/> when it can.</summary>
    public string? Problem => _silence ?? (IsReady ? null : _lastExit is { } exit
        ? $"The model worker process {exit}; it is being started again (pool swaps and pins are restored)."
        : "The model worker process is starting.");

    /// <summary>
    /// <c>/health</c>'s status while the worker cannot serve: <c>unresponsive</c> (running but silent), <c>restarting</c> (after a
    /// worker exited or was killed), <c>loading</c> (its first start); <see langword="null"/> when it can serve.
    /// </summary>
    public string? Status => _silence is not null ? "unresponsive" : IsReady ? null : _lastExit is null ? "loading" : "restarting";

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
        string? json = null;
        if (!HttpMethods.IsGet(request.Method))
        {
            // Buffered (bodies are limited by MaxRequestBodyBytes): a change the worker accepts is kept for its successor.
            using var reader = new StreamReader(request.Body);
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        RemoteBackend backend = await GetBackendAsync(cancellationToken).ConfigureAwait(false);
        (int status, string? contentType, string text) = await SendAsync(backend, new HttpMethod(request.Method), path, json, cancellationToken).ConfigureAwait(false);
        if (json is not null && status is >= 200 and < 300)
        {
            _journal.Record(path, json);
        }

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
        RemoteBackend backend = await GetBackendAsync(cancellationToken).ConfigureAwait(false);
        string? json = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), ServerJson.Options);
        (int status, _, string text) = await SendAsync(backend, method, path, json, cancellationToken).ConfigureAwait(false);
        if (status is < 200 or >= 300)
        {
            throw new ApiException(status, $"The model worker refused {method} /{path}: {HttpErrorMessage.Describe(text)}");
        }

        return JsonSerializer.Deserialize<T>(text, ServerJson.Options) ?? throw new BackendUnavailableException(BackendName, BackendFailure.BadResponse, $"The model worker answered {method} /{path} with null.");
    }

    private static async Task<(int Status, string? ContentType, string Body)> SendAsync(RemoteBackend backend, HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using HttpContent? content = json is null ? null : new StringContent(json, new MediaTypeHeaderValue("application/json"));
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
            string? exit = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            TimeSpan wait = backoff.Next(Stopwatch.GetElapsedTime(started));
            _logger.LogWarning("The model worker process {Exit}; starting it again in {Backoff} ms.", exit, (int)wait.TotalMilliseconds);
            await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts one worker, gives it the kept pool changes, publishes it, and returns when it exits (or the server stops, killing
    /// it): how it ended, for logs and <c>/health</c>.
    /// </summary>
    private async Task<string?> RunOnceAsync(CancellationToken stoppingToken)
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
                await RestorePoolAsync(backend, process.Id, stoppingToken).ConfigureAwait(false);
                _logger.LogInformation("Model worker {Pid} is serving on 127.0.0.1:{Port}.", process.Id, port);
                lock (_gate)
                {
                    _serving = process;
                    _ready.TrySetResult(backend);
                }
            }

            await WatchAsync(backend, process, stoppingToken).ConfigureAwait(false);

            // Recorded before the finally unpublishes the worker: /health must never see it gone without knowing how it ended.
            _lastExit = DescribeExit(process.ExitCode);
            return _lastExit;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
            return null;
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

    /// <summary>
    /// Gives a new worker the pool changes made in its predecessors, in order, before any request reaches it; one that fails now
    /// (its replacement file deleted since) is logged and left out, the others still apply.
    /// </summary>
    private async Task RestorePoolAsync(RemoteBackend backend, int pid, CancellationToken stoppingToken)
    {
        IReadOnlyList<WorkerPoolJournal.Entry> changes = _journal.Entries;
        if (changes.Count == 0)
        {
            return;
        }

        List<string> restored = [];
        foreach (WorkerPoolJournal.Entry change in changes)
        {
            try
            {
                (int status, _, string text) = await SendAsync(backend, HttpMethod.Post, change.Path, change.Body, stoppingToken).ConfigureAwait(false);
                if (status is >= 200 and < 300)
                {
                    restored.Add(change.Description);
                    continue;
                }

                _logger.LogWarning("Model worker {Pid} refused the pool change '{Change}' it was given again after a restart: {Error}", pid, change.Description, HttpErrorMessage.Describe(text));
            }
            catch (BackendUnavailableException ex)
            {
                _logger.LogWarning("Model worker {Pid} did not take the pool change '{Change}' after a restart: {Error}", pid, change.Description, ex.Message);
            }
        }

        if (restored.Count > 0)
        {
            _logger.LogWarning("Model worker {Pid} was given the pool changes made before it restarted: {Changes}.", pid, string.Join("; ", restored));
        }
    }

    /// <summary>How a worker ended, from its exit code (.NET reports a process killed by signal N as 128 + N on Unix).</summary>
    private static string DescribeExit(int code) => code switch
    {
        > 128 and < 160 => $"was ended by signal {code - 128}{SignalName(code - 128)} (exit code {code})",
        _ => $"exited with code {code}",
    };

    private static string SignalName(int signal) => signal switch
    {
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => string.Empty,
    };

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

                // Unpublished first: until the runtime reaps the killed process, HasExited may still be false, and a request
                // arriving then would be sent to its closed port instead of waiting for the next worker.
                lock (_gate)
                {
                    _serving = null;
                    if (_ready.Task.IsCompleted)
                    {
                        Volatile.Write(ref _ready, NewReady());
                    }
                }

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
