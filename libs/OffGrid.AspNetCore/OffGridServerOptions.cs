using OffGrid.AspNetCore.Backends;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore;

/// <summary>
/// Settings of an OffGrid server, bound from the <c>Server</c> configuration section (appsettings.json,
/// <c>OFFGRID_Server__*</c> environment variables, <c>--Server:*</c> command-line switches). <see cref="Models"/>,
/// <see cref="ModelDirectories"/>, <see cref="AllowModelPaths"/>, <see cref="Preload"/> and <see cref="Pool"/> apply
/// wherever the endpoints are mapped; <see cref="Host"/>, <see cref="Port"/>, <see cref="MaxRequestBodyBytes"/>,
/// <see cref="ShutdownTimeout"/>, <see cref="CorsOrigins"/>, <see cref="RequestsPerMinutePerClient"/> and the certificate
/// apply to hosts built with <see cref="Hosting.OffGridWebApplication"/> (which bind governance from <c>Server:Auth</c>).
/// </summary>
/// <remarks>Validated when the host starts; not thread-safe while being configured.</remarks>
public sealed class OffGridServerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Server";

    /// <summary>The address to listen on: an IP address, <c>localhost</c>, or <c>*</c> for every interface. Defaults to <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one. Defaults to 11611.</summary>
    public int Port { get; set; } = 11611;

    /// <summary>The largest request body accepted, in bytes; larger ones get 413. Defaults to 8 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Models served by name: an API model name mapped to a .gguf path (relative paths are resolved against the current directory).</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Folders whose .gguf files are served under their file name without the extension.</summary>
    public List<string> ModelDirectories { get; set; } = [];

    /// <summary>
    /// Whether a request may name a model by its path on the server's disk. Off by default: a client could
    /// otherwise make the server open any file it can read.
    /// </summary>
    public bool AllowModelPaths { get; set; }

    /// <summary>
    /// Models loaded at start (prewarm) and pinned in the pool, so that neither keep-alive nor eviction unloads them;
    /// <c>/health</c> answers 503 until they are loaded.
    /// </summary>
    public List<string> Preload { get; set; } = [];

    /// <summary>How long the host waits for running requests when it stops. Defaults to 30 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How models are loaded, kept alive, evicted and scheduled (parallel sequences, context size, queue limit).</summary>
    public LlamaModelPoolOptions Pool { get; set; } = new();

    /// <summary>
    /// Where local models run: <see cref="ModelIsolation.InProcess"/> (the default) or <see cref="ModelIsolation.Process"/>, a
    /// worker process on a random loopback port with a per-start key, restarted with backoff when it dies, so that a native
    /// crash fails only the requests in flight. Each token then crosses a loopback HTTP stream (bench/RESULTS.md has the cost).
    /// </summary>
    public ModelIsolation Isolation { get; set; } = ModelIsolation.InProcess;

    /// <summary>
    /// With <see cref="ModelIsolation.Process"/>, how long the model worker may leave its health check (pinged every second)
    /// unanswered — stopped (SIGSTOP), deadlocked, swapped out — before it is killed and started again. From half of it (at most
    /// 5 s) of silence on, <c>/health</c> answers 503 and requests fail at once with 503 <c>backend_unavailable</c> instead of
    /// waiting for a first token. 1 second or more; defaults to 20 seconds.
    /// </summary>
    public TimeSpan WorkerHangTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Remote engines by name (llama-server, vLLM, LocalAI, Ollama, other OffGrid servers) whose models are served beside the
    /// local ones, through the same pipelines. Backends that serve the same model name form a pool that <see cref="Balancing"/>
    /// spreads requests over. A configured local model of the same name wins over a remote one.
    /// </summary>
    public Dictionary<string, RemoteBackendOptions> Backends { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How requests are spread over the backends that serve a model, and how failing backends are found and avoided.</summary>
    public BalancingOptions Balancing { get; set; } = new();

    /// <summary>Knowledge bases (<c>Server:Knowledge</c>): where collections live, upload and URL limits, chat retrieval; used when the server adds knowledge (<c>AddKnowledge</c>).</summary>
    public Knowledge.OffGridKnowledgeOptions Knowledge { get; set; } = new();

    /// <summary>
    /// Origins (<c>https://intranet.example:8443</c>) whose web pages may call the APIs from a browser (CORS), with any
    /// header and method; the rate-limit headers are exposed to them. None by default.
    /// </summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>
    /// Requests per minute that one client address may make to any route (a fixed one-minute window); more get 429 with
    /// <c>Retry-After</c> in the route's API shape. 0, the default, sets no limit. Per-user limits of model calls are
    /// quotas (<c>offgrid quota set</c>).
    /// </summary>
    public int RequestsPerMinutePerClient { get; set; }

    /// <summary>
    /// The certificate for HTTPS: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>), or a PEM certificate with
    /// <see cref="CertificateKeyPath"/>. Unset (the default): plain HTTP.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of the PKCS#12 file or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Lists what is wrong with the options.</summary>
    /// <returns>One sentence per problem; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Host is not ("localhost" or "*") && !System.Net.IPAddress.TryParse(Host ?? string.Empty, out _))
        {
            errors.Add($"Server:Host must be an IP address, 'localhost' or '*' (was '{Host}').");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"Server:Port must be between 0 and 65535 (was {Port}).");
        }

        if (MaxRequestBodyBytes < 1024)
        {
            errors.Add($"Server:MaxRequestBodyBytes must be at least 1024 (was {MaxRequestBodyBytes}).");
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add("Server:ShutdownTimeout cannot be negative.");
        }

        // The resolver checks the same at start; checking here too reports every bad setting in one go.
        var models = new ModelResolverOptions { Models = Models, ModelDirectories = ModelDirectories };
        errors.AddRange(models.Validate().Select(error => "Server: " + error));

        foreach (string origin in CorsOrigins ?? [])
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                errors.Add($"Server:CorsOrigins has '{origin}', which is not an origin such as https://intranet.example:8443 (scheme, host and port only).");
            }
        }

        if (RequestsPerMinutePerClient < 0)
        {
            errors.Add($"Server:RequestsPerMinutePerClient cannot be negative (was {RequestsPerMinutePerClient}; 0 sets no limit).");
        }

        if (CertificatePath is not null || CertificateKeyPath is not null)
        {
            errors.AddRange(Hosting.ServerCertificate.Check(this));
        }

        if (!Enum.IsDefined(Isolation))
        {
            errors.Add($"Server:Isolation must be InProcess or Process (was '{Isolation}').");
        }

        if (WorkerHangTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Server:WorkerHangTimeout must be at least 1 second (was {WorkerHangTimeout}).");
        }

        if (Preload.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Server:Preload has an empty model name.");
        }

        if (Pool is null)
        {
            errors.Add("Server:Pool must be set.");
        }
        else if (PoolErrors(Pool) is { Count: > 0 } poolErrors)
        {
            errors.AddRange(poolErrors);
        }
        else
        {
            errors.AddRange(CheckSpeculationAndPromptCache(Pool.Engine));
        }

        if (Pool?.Engine is { } engine)
        {
            errors.AddRange(engine.GetCacheTypeErrors().Select(error => $"Server:Pool:Engine:{error}"));
        }

        foreach ((string name, RemoteBackendOptions backend) in Backends ?? [])
        {
            errors.AddRange(backend is null
                ? [$"Server:Backends:{name} has no settings."]
                : backend.Validate().Select(error => $"Server:Backends:{name}: {error}"));
            if (backend is not null && IsOwnAddress(backend.Endpoint))
            {
                errors.Add($"Server:Backends:{name}: Endpoint {backend.Endpoint} is this server's own address; a backend must be another server (every request sent there would come back here in a loop).");
            }
        }

        errors.AddRange(Balancing?.Validate() ?? ["Server:Balancing must be set."]);

        if (Knowledge is null)
        {
            errors.Add("Server:Knowledge must be set.");
        }
        else
        {
            errors.AddRange(Knowledge.Validate());
        }

        return errors;
    }

    /// <summary>A cache type the model cannot use, as one sentence starting with the server setting that chose it (<c>Server:Pool:Engine:CacheTypeK: …</c>).</summary>
    internal static string DescribeCacheTypeProblem(UnsupportedCacheTypeException problem) => $"{SectionName}:Pool:Engine:{problem.Setting}: {problem.Message}";

    private static List<string> PoolErrors(LlamaModelPoolOptions pool)
    {
        var errors = new List<string>();
        if (pool.MaxLoadedModels < 1)
        {
            errors.Add($"Server:Pool:MaxLoadedModels is {pool.MaxLoadedModels}: expected 1 or more.");
        }

        if (pool.MemoryBudgetBytes is < 1)
        {
            errors.Add($"Server:Pool:MemoryBudgetBytes is {pool.MemoryBudgetBytes}: expected 1 or more (bytes), or unset for no budget.");
        }

        if (pool.Engine.ParallelSequences < 1)
        {
            errors.Add($"Server:Pool:Engine:ParallelSequences is {pool.Engine.ParallelSequences}: expected 1 or more.");
        }

        if (pool.Engine.MaxPendingRequests < 0)
        {
            errors.Add($"Server:Pool:Engine:MaxPendingRequests is {pool.Engine.MaxPendingRequests}: expected 0 or more.");
        }

        if (pool.Engine.ContextSize is < LlamaModelPool.MinimumContextSize)
        {
            errors.Add($"Server:Pool:Engine:ContextSize is {pool.Engine.ContextSize}: expected {LlamaModelPool.MinimumContextSize} or more.");
        }
        else if ((long?)pool.Engine.ContextSize * Math.Max(1, pool.Engine.ParallelSequences) > int.MaxValue)
        {
            errors.Add($"Server:Pool:Engine:ContextSize is {pool.Engine.ContextSize}: times ParallelSequences ({pool.Engine.ParallelSequences}) that is more than the {int.MaxValue} tokens one context can hold.");
        }

        if (pool.Engine.Threads is < 1)
        {
            errors.Add($"Server:Pool:Engine:Threads is {pool.Engine.Threads}: expected 1 or more, or unset to follow the free cores.");
        }

        if (pool.Engine.BatchSize < 1)
        {
            errors.Add($"Server:Pool:Engine:BatchSize is {pool.Engine.BatchSize}: expected 1 or more.");
        }

        return errors;
    }

    /// <summary>Whether an endpoint names this server: its port, on a loopback address, on <see cref="Host"/> or on this machine's name.</summary>
    private bool IsOwnAddress(string? endpoint)
    {
        if (Port == 0 || !Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) || uri.Port != Port)
        {
            return false;
        }

        string host = uri.IdnHost;
        return uri.IsLoopback
            || string.Equals(host, Host, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || (Host == "*" && System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? address) && address.Equals(System.Net.IPAddress.Any));
    }

    private static IEnumerable<string> CheckSpeculationAndPromptCache(LlamaEngineOptions engine)
    {
        const string Prefix = "Server:Pool:Engine:";
        if (engine.Speculation is not { } speculation || engine.PromptCache is not { } cache)
        {
            yield return $"{Prefix}Speculation and {Prefix}PromptCache must be set.";
            yield break;
        }

        if (speculation.DraftModelPath is not null && speculation.NgramSize > 0)
        {
            yield return $"{Prefix}Speculation: set DraftModelPath or NgramSize, not both.";
        }

        if (speculation.DraftModelPath is { Length: 0 })
        {
            yield return $"{Prefix}Speculation:DraftModelPath is empty: name a model (as requests do) or a .gguf file.";
        }

        if (speculation.NgramSize < 0 || speculation.MaxDraftTokens < 1)
        {
            yield return $"{Prefix}Speculation needs NgramSize ≥ 0 and MaxDraftTokens ≥ 1.";
        }

        if (cache.MinTokens < 1 || cache.MaxBytes < 0 || cache.Directory is { Length: 0 })
        {
            yield return $"{Prefix}PromptCache needs MinTokens ≥ 1, MaxBytes ≥ 0 and a non-empty Directory when one is set.";
        }
        else if (cache.FindDirectoryProblem() is { } problem)
        {
            yield return $"{Prefix}PromptCache: {problem}";
        }
    }
}
