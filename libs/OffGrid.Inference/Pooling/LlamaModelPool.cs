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
/// one load), unloads after an idle keep-alive, and evicts the least recently used idle model beyond a maximum count or
/// a memory budget. Models can be pinned against eviction and hot-swapped (<see cref="SwapAsync"/>).
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
    private readonly InferenceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<Entry>> _loads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _estimates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pinned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _replacements = new(StringComparer.Ordinal);
    private readonly HashSet<Entry> _draining = [];
    private readonly Timer _sweeper;
    private TaskCompletionSource _roomChanged = NewSignal();
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="options">The pool's options; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the loggers of the pool, its engines and its chat clients.</param>
    /// <param name="meterFactory">
    /// Creates the <c>OffGrid.Inference</c> meter the pool and its chat clients report on (see
    /// <see cref="InferenceTelemetry"/>), one per factory; without one they report on a meter shared by the process.
    /// </param>
    public LlamaModelPool(LlamaModelPoolOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        _options = options ?? new LlamaModelPoolOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<LlamaModelPool>();
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        _metrics = InferenceMetrics.For(meterFactory);
        _metrics.Observe(this);
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

        string requestedPath = Path.GetFullPath(path);
        LlamaEngineOptions engineOptions = _options.Engine.WithContextSize(contextSize);
        DateTimeOffset patienceEnds = DateTimeOffset.UtcNow + RoomPatience;
        while (true)
        {
            string fullPath;
            string key;
            bool loaded;
            lock (_gate)
            {
                fullPath = ReplacementLocked(requestedPath);
                key = contextSize is null ? fullPath : $"{fullPath}|{contextSize}";
                loaded = _loads.ContainsKey(key);
            }

            Task<Entry>? load;
            Task? room = null;
            List<Entry> evicted = [];
            long needed = loaded ? 0 : await EstimateAsync(fullPath, engineOptions, contextSize, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_loads.TryGetValue(key, out load))
                {
                    bool overLimit = DateTimeOffset.UtcNow >= patienceEnds;
                    if (MakeRoomLocked(evicted, needed) || overLimit)
                    {
                        if (overLimit)
                        {
                            _logger.LogWarning("Loading {Path} beyond MaxLoadedModels ({Max}) or the memory budget: every loaded model has been busy or pinned for {Patience}.", fullPath, _options.MaxLoadedModels, RoomPatience);
                        }

                        load = LoadAsync(key, fullPath, engineOptions, contextSize, needed, progress);
                        _loads[key] = load;
                        _estimates[key] = needed;
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
                        _estimates.Remove(key);
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

    /// <summary>The models loaded now, and after them those a hot-swap replaced that still finish requests (<see cref="LoadedModelInfo.IsDraining"/>).</summary>
    public IReadOnlyList<LoadedModelInfo> GetLoadedModels()
    {
        lock (_gate)
        {
            return [
                .. _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Select(e => new LoadedModelInfo(
                    e.Model.Path, e.Model.Id, e.Model.SizeBytes, e.Engine.ContextSize, e.Leases, e.LoadedAt,
                    e.KeepAlive < TimeSpan.Zero || _pinned.Contains(e.Model.Path) ? null : e.LastUsed + e.KeepAlive, e.Engine.ActiveSequences, e.Engine.PendingRequests,
                    e.EstimatedBytes, _pinned.Contains(e.Model.Path))),
                .. _draining.Select(e => new LoadedModelInfo(
                    e.Model.Path, e.Model.Id, e.Model.SizeBytes, e.Engine.ContextSize, e.Leases, e.LoadedAt, ExpiresAt: null, e.Engine.ActiveSequences, e.Engine.PendingRequests,
                    e.EstimatedBytes, IsPinned: false, IsDraining: true)),
            ];
        }
    }

    /// <summary>
    /// Checks that the engine's draft model (<see cref="Engine.Speculation.SpeculativeDecodingOptions.DraftModelPath"/>) can
    /// draft for the model in <paramref name="path"/>, with the rules the engine applies when it loads both, so that a host
    /// can refuse a wrong draft model at start. Loads only the two vocabularies (llama.cpp's <c>vocab_only</c>), not the weights.
    /// </summary>
    /// <param name="path">The target model's GGUF file.</param>
    /// <param name="cancellationToken">Cancels loading the runtime or reading the headers.</param>
    /// <remarks>Does nothing when no draft model is set. Loads the runtime (<see cref="LlamaModelPoolOptions.Runtime"/>) when needed.</remarks>
    /// <exception cref="FileNotFoundException">One of the files does not exist.</exception>
    /// <exception cref="ModelLoadException">A file is not a GGUF llama.cpp can read, or the vocabularies differ (the message names both files and the difference).</exception>
    public async Task CheckDraftModelAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_options.Engine.Speculation.DraftModelPath is not { } draftPath)
        {
            return;
        }

        await Runtime.LlamaRuntime.LoadAsync(_options.Runtime, logger: _loggerFactory.CreateLogger("OffGrid.Inference.Runtime"), cancellationToken: cancellationToken).ConfigureAwait(false);
        var vocabularyOnly = new LlamaModelOptions { VocabularyOnly = true };
        using LlamaModel target = await LlamaModel.LoadAsync(path, vocabularyOnly, cancellationToken: cancellationToken).ConfigureAwait(false);
        using LlamaModel draft = await LlamaModel.LoadAsync(draftPath, vocabularyOnly, cancellationToken: cancellationToken).ConfigureAwait(false);
        Engine.Speculation.DraftVocabularyCheck.EnsureCompatible(target, draft);
    }

    /// <summary>The file that serves requests for <paramref name="path"/> now: its hot-swap replacement (<see cref="SwapAsync"/>), or itself.</summary>
    /// <param name="path">The GGUF file clients ask for.</param>
    /// <returns>The full path of the file served.</returns>
    public string GetServedPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            return ReplacementLocked(Path.GetFullPath(path));
        }
    }

    /// <summary>
    /// Pins the model at <paramref name="path"/> (every context size of it): while pinned it is neither unloaded after its
    /// keep-alive nor evicted for another model. Pinning does not load it; pinning more than fits makes new models wait,
    /// then load over the limit (see <see cref="AcquireAsync"/>).
    /// </summary>
    /// <param name="path">The GGUF file; a hot-swapped path pins its replacement.</param>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            _pinned.Add(ReplacementLocked(Path.GetFullPath(path)));
        }
    }

    /// <summary>Lets a pinned model be unloaded and evicted again; returns whether it was pinned.</summary>
    /// <param name="path">The GGUF file.</param>
    public bool Unpin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            bool removed = _pinned.Remove(ReplacementLocked(Path.GetFullPath(path)));
            SignalRoom();
            return removed;
        }
    }

    /// <summary>
    /// Hot-swaps the model behind <paramref name="path"/>: loads <paramref name="replacementPath"/> first, then switches
    /// atomically, so that every later <see cref="AcquireAsync"/> of <paramref name="path"/> (and every pooled client created
    /// for it) gets the replacement, while requests already holding the old model finish on it; the old model unloads when
    /// its last lease ends. A pin moves to the replacement. Swapping back to the original path undoes the swap.
    /// </summary>
    /// <param name="path">The GGUF file clients ask for.</param>
    /// <param name="replacementPath">The GGUF file to serve instead.</param>
    /// <param name="cancellationToken">Cancels loading the replacement; nothing is switched then.</param>
    /// <returns>The full path of the file that served <paramref name="path"/> just before the switch (with concurrent swaps, the one this swap replaced); it completes when new requests go to the replacement.</returns>
    /// <exception cref="ModelLoadException">The replacement failed to load; the old model keeps serving.</exception>
    public async Task<string> SwapAsync(string path, string replacementPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(replacementPath);
        string from = Path.GetFullPath(path);
        string to = Path.GetFullPath(replacementPath);
        using LlamaModelLease replacement = await AcquireAsync(to, cancellationToken: cancellationToken).ConfigureAwait(false);
        List<Entry> idle;
        string current;
        lock (_gate)
        {
            current = ReplacementLocked(from);
            if (current == to)
            {
                return current;
            }

            _replacements.Remove(to);
            if (from == to)
            {
                _replacements.Remove(from);
            }
            else
            {
                _replacements[from] = to;
            }

            if (_pinned.Remove(current))
            {
                _pinned.Add(to);
            }

            List<Entry> old = _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Where(e => e.Model.Path == current).ToList();
            old.ForEach(Detach);
            idle = old.Where(e => e.Leases == 0).ToList();
            _draining.UnionWith(old.Where(e => e.Leases > 0));
        }

        _logger.LogInformation("Swapped {Path} for {Replacement}.", from, to);
        idle.ForEach(e => e.Dispose());
        return current;
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
        _metrics.StopObserving(this);
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

            if (!entry.Unloaded && entry.Leases == 0 && entry.KeepAlive == TimeSpan.Zero && !_pinned.Contains(entry.Model.Path))
            {
                Detach(entry);
            }

            dispose = entry.Unloaded && entry.Leases == 0;
            if (dispose)
            {
                _draining.Remove(entry);
            }
        }

        if (dispose)
        {
            entry.Dispose();
        }
    }

    private async Task<Entry> LoadAsync(string key, string path, LlamaEngineOptions engineOptions, int? requestedContext, long estimatedBytes, IProgress<float>? progress)
    {
        await Runtime.LlamaRuntime.LoadAsync(_options.Runtime, logger: _loggerFactory.CreateLogger("OffGrid.Inference.Runtime")).ConfigureAwait(false);
        LlamaModel model = await LlamaModel.LoadAsync(path, _options.Model.PlannedFor(engineOptions), progress).ConfigureAwait(false);
        try
        {
            // A context beyond what the model was trained for buys nothing but memory (llama.cpp only warns), so a request
            // may not ask for one.
            EnsureTrainedFor(requestedContext, model.TrainedContextLength, model.Id);

            var engine = new LlamaEngine(model, engineOptions, _loggerFactory.CreateLogger<LlamaEngine>());
            _logger.LogInformation("Loaded {Model} ({Description}, context {Context} x {Sequences}).", model.Id, model.Description, engine.ContextSize, engine.ParallelSequences);
            return new Entry(this, key, model, engine, new LlamaChatClient(engine, _options.Chat, _loggerFactory.CreateLogger<LlamaChatClient>(), _metrics), Normalize(_options.KeepAlive))
            {
                EstimatedBytes = estimatedBytes,
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Loaded and loading models both count against the maximum and the budget; least recently used idle, unpinned
    // models make room.
    private bool MakeRoomLocked(List<Entry> evicted, long neededBytes)
    {
        while (true)
        {
            bool fits = _loads.Count < _options.MaxLoadedModels
                && (_options.MemoryBudgetBytes is not { } budget || _loads.Count == 0 || _estimates.Values.Sum() + neededBytes <= budget);
            if (fits)
            {
                return true;
            }

            Entry? idle = _loads.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)
                .Where(e => e.Leases == 0 && !_pinned.Contains(e.Model.Path)).OrderBy(e => e.LastUsed).FirstOrDefault();
            if (idle is null)
            {
                return false;
            }

            Detach(idle);
            evicted.Add(idle);
        }
    }

    private static void EnsureTrainedFor(int? requestedContext, long trainedContext, string modelId)
    {
        if (requestedContext > trainedContext && trainedContext > 0)
        {
            throw new InvalidRequestException(
                $"num_ctx {requestedContext} is larger than the {trainedContext} tokens '{modelId}' was trained for.", LlamaChatOptions.ContextSizeKey);
        }
    }

    // Weights plus the KV cache of every sequence (of the engine's cache types), from the GGUF header, sized as the engine
    // will size its context; a draft model for speculative decoding loads beside it with a context of the same size. A
    // requested context the model was not trained for is refused here already, before the pool makes room for its estimate.
    private static async Task<long> EstimateAsync(string path, LlamaEngineOptions engine, int? requestedContext, CancellationToken cancellationToken)
    {
        long? target = await EstimateFileAsync(path, engine, engine.CacheTypeK ?? Hub.Gguf.GgmlType.F16, engine.CacheTypeV ?? Hub.Gguf.GgmlType.F16, requestedContext, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return 0; // LlamaModel.LoadAsync reports the missing file.
        }

        // The draft's own context keeps llama.cpp's default cache type.
        long? draft = engine.Speculation.DraftModelPath is { } draftPath
            ? await EstimateFileAsync(draftPath, engine, Hub.Gguf.GgmlType.F16, Hub.Gguf.GgmlType.F16, null, cancellationToken).ConfigureAwait(false)
            : null;
        return target.Value + (draft ?? 0);
    }

    private static async Task<long?> EstimateFileAsync(
        string path, LlamaEngineOptions engine, Hub.Gguf.GgmlType keys, Hub.Gguf.GgmlType values, int? requestedContext, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            Hub.Gguf.GgufFile header = await Hub.Gguf.GgufFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            EnsureTrainedFor(requestedContext, header.ContextLength ?? 0, Path.GetFileNameWithoutExtension(path));
            int perSequence = engine.ContextSize ?? (int)Math.Min(4096, header.ContextLength is > 0 and { } trained ? trained : 4096);
            return Hub.Gguf.ModelMemoryEstimate.Create(header, LlamaEngineOptions.TotalContextSize(perSequence, engine.ParallelSequences), keys, values).TotalBytes;
        }
        catch (Hub.Gguf.GgufFormatException)
        {
            return new FileInfo(path).Length; // LlamaModel.LoadAsync reports what is wrong with it.
        }
    }

    // Follows hot-swaps: the file served for a requested one.
    private string ReplacementLocked(string path)
    {
        for (int hops = 0; hops < 16 && _replacements.TryGetValue(path, out string? next); hops++)
        {
            path = next;
        }

        return path;
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
                if (entry.Leases == 0 && entry.KeepAlive >= TimeSpan.Zero && entry.LastUsed + entry.KeepAlive <= now && !_pinned.Contains(entry.Model.Path))
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
        _estimates.Remove(entry.Key);
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

        public long EstimatedBytes { get; init; }

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
