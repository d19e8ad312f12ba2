using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Pooling;

/// <summary>
/// Keeps loaded models and their engines for reuse: loads on first use (concurrent requests for the same file share
/// one load), unloads after an idle keep-alive, and evicts the least recently used idle model beyond a maximum.
/// </summary>
/// <remarks>Thread-safe. A model is never unloaded while a <see cref="LlamaModelLease"/> on it is open.</remarks>
public sealed class LlamaModelPool : IDisposable
{
    /// <summary>The smallest per-sequence context a model can be loaded with.</summary>
    public const int MinimumContextSize = 16;

    // Beyond this a keep-alive means "forever"; the limit keeps expiry times representable.
    private static readonly TimeSpan MaxKeepAlive = TimeSpan.FromDays(3650);

    // How long a new model waits for a busy one to free its place before it loads over the limit anyway: one request may
    // hold two models (a chat model and the embedding model of its knowledge base), and must not wait for itself.
    private static readonly TimeSpan RoomPatience = TimeSpan.FromSeconds(30);

    private readonly LlamaModelPoolOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<Entry>> _loads = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;
    private TaskCompletionSource _roomChanged = NewSignal();
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    public LlamaModelPool(LlamaModelPoolOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new LlamaModelPoolOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<LlamaModelPool>();
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        InferenceTelemetry.Observe(this);
    }

    /// <summary>The pool's options.</summary>
    public LlamaModelPoolOptions Options => _options;

    /// <summary>Loads (or reuses) the model at <paramref name="path"/> and holds it until the lease is disposed.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <param name="keepAlive">Overrides the pool's keep-alive for this model from now on.</param>
    /// <param name="contextSize">
    /// The per-sequence context this request needs (Ollama's <c>num_ctx</c>); <see langword="null"/> uses the pool's. A model
    /// is loaded once per distinct context size, as Ollama reloads a model when <c>num_ctx</c> changes.
    /// </param>
    /// <param name="progress">Receives load progress (0 to 1) when this call loads the model.</param>
    /// <param name="cancellationToken">Stops waiting; a load shared with other callers goes on.</param>
    /// <remarks>
    /// When <see cref="LlamaModelPoolOptions.MaxLoadedModels"/> models are loaded or loading and none is idle, the call
    /// waits until one is released and can be unloaded, as Ollama queues requests for a model that does not fit yet; after
    /// 30 seconds it loads the model over the limit (with a warning) rather than wait for a request that may hold both.
    /// A keep-alive longer than ten years means "keep loaded", like a negative one.
    /// </remarks>
    /// <exception cref="InvalidRequestException"><paramref name="contextSize"/> is larger than the context the model was trained for.</exception>
    public async Task<LlamaModelLease> AcquireAsync(
        string path, TimeSpan? keepAlive = null, int? contextSize = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (contextSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, MinimumContextSize, nameof(contextSize));
        }

        string fullPath = Path.GetFullPath(path);
        string key = contextSize is null ? fullPath : $"{fullPath}|{contextSize}";
        DateTimeOffset patienceEnds = DateTimeOffset.UtcNow + RoomPatience;
        while (true)
        {
            Task<Entry>? load;
            Task? room = null;
            List<Entry> evicted = [];
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_loads.TryGetValue(key, out load))
                {
                    bool overLimit = DateTimeOffset.UtcNow >= patienceEnds;
                    if (MakeRoomLocked(evicted) || overLimit)
                    {
                        if (overLimit)
                        {
                            _logger.LogWarning("Loading {Path} beyond MaxLoadedModels ({Max}): every loaded model has been busy for {Patience}.", fullPath, _options.MaxLoadedModels, RoomPatience);
                        }

                        load = LoadAsync(key, fullPath, _options.Engine.WithContextSize(contextSize), contextSize, progress);
                        _loads[key] = load;
                    }
                    else
                    {
                        room = _roomChanged.Task;
                    }
                }
            }

            DisposeEvicted(evicted);
            if (load is null)
            {
                try
                {
                    await room!.WaitAsync(RoomPatience, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Patience is spent: the next round loads over the limit.
                }

                continue;
            }

            Entry entry;
            try
            {
                entry = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (load.IsFaulted || load.IsCanceled)
            {
                lock (_gate)
                {
                    if (_loads.TryGetValue(key, out Task<Entry>? current) && current == load)
                    {
                        _loads.Remove(key);
                        SignalRoom();
                    }
                }

                throw;
            }

            lock (_gate)
            {
                if (entry.Unloaded)
                {
                    continue;
                }

                entry.Leases++;
                entry.LastUsed = DateTimeOffset.UtcNow;
                if (keepAlive is { } requested)
                {
                    entry.KeepAlive = Normalize(requested);
                }

                return new LlamaModelLease(entry);
            }
        }
    }

    /// <summary>
    /// Creates an <see cref="IChatClient"/> over the model at <paramref name="path"/> that loads it on first use and holds
    /// it only while a request runs: the bottom of a <c>ChatClientBuilder</c> pipeline. Requests may set
    /// <see cref="LlamaChatOptions.ContextSizeKey"/> and <see cref="LlamaChatOptions.KeepAliveKey"/>.
    /// </summary>
    /// <param name="path">The GGUF file; it is not opened until the first request.</param>
    /// <param name="modelId">The model id reported in metadata and responses; defaults to the file name without extension.</param>
    /// <returns>A thread-safe client; disposing it leaves the pool and its models alone.</returns>
    public IChatClient CreateChatClient(string path, string? modelId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new PooledChatClient(this, Path.GetFullPath(path), modelId ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>
    /// Creates an embedding generator over the model at <paramref name="path"/> that loads it on first use and holds it
    /// only while a call runs.
    /// </summary>
    /// <param name="path">The GGUF file; it is not opened until the first call.</param>
    /// <param name="modelId">The model id reported in metadata and embeddings; defaults to the file name without extension.</param>
    /// <returns>A thread-safe generator; disposing it leaves the pool and its models alone.</returns>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string path, string? modelId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new PooledEmbeddingGenerator(this, Path.GetFullPath(path), modelId ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>The models loaded now.</summary>
    public IReadOnlyList<LoadedModelInfo> GetLoadedModels()
    {
        lock (_gate)
        {
            return _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Select(e => new LoadedModelInfo(
                e.Model.Path, e.Model.Id, e.Model.SizeBytes, e.Engine.ContextSize, e.Leases, e.LoadedAt,
                e.KeepAlive < TimeSpan.Zero ? null : e.LastUsed + e.KeepAlive, e.Engine.ActiveSequences, e.Engine.PendingRequests)).ToList();
        }
    }

    /// <summary>Unloads a model now (every context size of it) if no lease holds it; returns whether anything was unloaded.</summary>
    public bool Unload(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        List<Entry> idle;
        lock (_gate)
        {
            idle = _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)
                .Where(e => e.Model.Path == fullPath && e.Leases == 0).ToList();
            idle.ForEach(Detach);
        }

        idle.ForEach(e => e.Dispose());
        return idle.Count > 0;
    }

    /// <summary>Unloads every model; leases still open keep working until they end.</summary>
    public void Dispose()
    {
        List<Entry> entries;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            entries = _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
            _loads.Clear();
        }

        _sweeper.Dispose();
        InferenceTelemetry.StopObserving(this);
        foreach (Entry entry in entries)
        {
            entry.Unloaded = true;
            if (entry.Leases == 0)
            {
                entry.Dispose();
            }
        }
    }

    internal void Release(Entry entry)
    {
        bool dispose;
        lock (_gate)
        {
            entry.Leases--;
            entry.LastUsed = DateTimeOffset.UtcNow;
            if (entry.Leases == 0)
            {
                SignalRoom();
            }

            if (!entry.Unloaded && entry.Leases == 0 && entry.KeepAlive == TimeSpan.Zero)
            {
                Detach(entry);
            }

            dispose = entry.Unloaded && entry.Leases == 0;
        }

        if (dispose)
        {
            entry.Dispose();
        }
    }

    private async Task<Entry> LoadAsync(string key, string path, LlamaEngineOptions engineOptions, int? requestedContext, IProgress<float>? progress)
    {
        await Runtime.LlamaRuntime.LoadAsync(_options.Runtime, logger: _loggerFactory.CreateLogger("OffGrid.Inference.Runtime")).ConfigureAwait(false);
        LlamaModel model = await LlamaModel.LoadAsync(path, _options.Model.PlannedFor(engineOptions), progress).ConfigureAwait(false);
        try
        {
            // A context beyond what the model was trained for buys nothing but memory (llama.cpp only warns), so a request
            // may not ask for one.
            if (requestedContext > model.TrainedContextLength)
            {
                throw new InvalidRequestException(
                    $"num_ctx {requestedContext} is larger than the {model.TrainedContextLength} tokens '{model.Id}' was trained for.", LlamaChatOptions.ContextSizeKey);
            }

            var engine = new LlamaEngine(model, engineOptions, _loggerFactory.CreateLogger<LlamaEngine>());
            _logger.LogInformation("Loaded {Model} ({Description}, context {Context} x {Sequences}).", model.Id, model.Description, engine.ContextSize, engine.ParallelSequences);
            return new Entry(this, key, model, engine, new LlamaChatClient(engine, _options.Chat, _loggerFactory.CreateLogger<LlamaChatClient>()), Normalize(_options.KeepAlive));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Loaded and loading models both count against the maximum; the least recently used idle one makes room.
    private bool MakeRoomLocked(List<Entry> evicted)
    {
        if (_loads.Count < _options.MaxLoadedModels)
        {
            return true;
        }

        Entry? idle = _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)
            .Where(e => e.Leases == 0).OrderBy(e => e.LastUsed).FirstOrDefault();
        if (idle is null)
        {
            return false;
        }

        Detach(idle);
        evicted.Add(idle);
        return _loads.Count < _options.MaxLoadedModels;
    }

    private void DisposeEvicted(List<Entry> evicted)
    {
        foreach (Entry entry in evicted)
        {
            _logger.LogInformation("Unloading {Model} to make room for another model.", entry.Model.Id);
            entry.Dispose();
        }
    }

    private static TimeSpan Normalize(TimeSpan keepAlive) => keepAlive > MaxKeepAlive ? Timeout.InfiniteTimeSpan : keepAlive;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SignalRoom() => Interlocked.Exchange(ref _roomChanged, NewSignal()).TrySetResult();

    private void Sweep()
    {
        List<Entry> expired = [];
        lock (_gate)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (Entry entry in _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList())
            {
                if (entry.Leases == 0 && entry.KeepAlive >= TimeSpan.Zero && entry.LastUsed + entry.KeepAlive <= now)
                {
                    Detach(entry);
                    expired.Add(entry);
                }
            }
        }

        foreach (Entry entry in expired)
        {
            _logger.LogInformation("Unloading {Model} after its keep-alive.", entry.Model.Id);
            entry.Dispose();
        }
    }

    private void Detach(Entry entry)
    {
        entry.Unloaded = true;
        _loads.Remove(entry.Key);
        SignalRoom();
    }

    /// <summary>One loaded model with its engine and clients.</summary>
    internal sealed class Entry : IDisposable
    {
        private readonly Lazy<LlamaEmbeddingGenerator> _embeddings;

        public Entry(LlamaModelPool pool, string key, LlamaModel model, LlamaEngine engine, LlamaChatClient chatClient, TimeSpan keepAlive)
        {
            Pool = pool;
            Key = key;
            Model = model;
            Engine = engine;
            ChatClient = chatClient;
            KeepAlive = keepAlive;
            _embeddings = new Lazy<LlamaEmbeddingGenerator>(() => new LlamaEmbeddingGenerator(model, pool._options.Embeddings), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public LlamaModelPool Pool { get; }

        /// <summary>The pool key: the file, plus the context size when a request asked for its own.</summary>
        public string Key { get; }

        public LlamaModel Model { get; }

        public LlamaEngine Engine { get; }

        public LlamaChatClient ChatClient { get; }

        public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _embeddings.Value;

        public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;

        public DateTimeOffset LastUsed { get; set; } = DateTimeOffset.UtcNow;

        public TimeSpan KeepAlive { get; set; }

        public int Leases { get; set; }

        public bool Unloaded { get; set; }

        public void Dispose()
        {
            if (_embeddings.IsValueCreated)
            {
                _embeddings.Value.Dispose();
            }

            Engine.Dispose();
            Model.Dispose();
        }
    }
}
