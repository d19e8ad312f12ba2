using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Engine.State;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;
using OffGrid.Inference.Runtime;

namespace OffGrid.Inference.Engine;

/// <summary>
/// Serves every generation request for one loaded model with continuous batching: each active request is a
/// llama.cpp sequence, and each step decodes all of them in one <c>llama_decode</c> call — or, where the engine measures
/// it to be faster for the weights and hardware at hand, the generating sequences one call each (see
/// <c>BatchSplitTuner</c>).
/// </summary>
/// <remarks>
/// One dedicated thread owns the llama.cpp context. New requests join between steps; a request whose prompt
/// starts like the tokens already cached in an idle sequence slot (the next turn of a chat) only evaluates the
/// new tokens. All members are thread-safe.
/// </remarks>
public sealed class LlamaEngine : IDisposable
{
    private readonly LlamaEngineOptions _options;
    private readonly ILogger _logger;
    private readonly SafeLlamaContextHandle _context;
    private readonly SafeGgmlThreadPoolHandle? _threadPool;
    private readonly IntPtr _memory;
    private readonly Slot[] _slots;
    private readonly ConcurrentQueue<Sequence> _pending = new();
    private readonly AutoResetEvent _wakeup = new(false);
    private readonly Thread _worker;
    private readonly ThreadTuner? _tuner;
    private readonly BatchSplitTuner _splitTuner;
    private readonly int? _fixedThreads;
    private long _lastGenerationStep;
    private readonly ITokenDrafter? _drafter;
    private readonly PromptStateStore? _promptStates;
    private volatile bool _disposed;
    private int _active;

    /// <summary>Creates the engine and its llama.cpp context.</summary>
    /// <param name="model">The loaded model; it must outlive the engine.</param>
    /// <param name="options">Scheduling options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Receives scheduling diagnostics.</param>
    public LlamaEngine(LlamaModel model, LlamaEngineOptions? options = null, ILogger<LlamaEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? new LlamaEngineOptions();
        _options.Validate();
        _options.EnsureCacheTypesFit(model.File, model.Id);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Model = model;

        int contextSize = _options.ContextSize ?? Math.Min(4096, model.TrainedContextLength > 0 ? model.TrainedContextLength : 4096);
        // Without a fixed count, start with the cores that are free now and let the tuner follow contention.
        _fixedThreads = ClampThreads(_options.Threads, model.Id);
        int maxThreads = _fixedThreads ?? LlamaRuntime.DefaultThreadCount;
        int threads = _fixedThreads ?? ThreadTuner.Initial(maxThreads);
        _tuner = _fixedThreads is null && maxThreads > 1 ? new ThreadTuner(threads, maxThreads) : null;
        _splitTuner = new BatchSplitTuner(_options.SplitGenerationSteps);
        LlamaContextParams parameters = LlamaNative.llama_context_default_params();
        parameters.ContextSize = (uint)LlamaEngineOptions.TotalContextSize(contextSize, _options.ParallelSequences);
        parameters.MaxSequences = (uint)_options.ParallelSequences;
        parameters.BatchSize = (uint)Math.Max(_options.BatchSize, _options.ParallelSequences);
        parameters.MicroBatchSize = parameters.BatchSize;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        parameters.KvUnified = 0;
        parameters.NoPerf = 1;
        if (_options.FlashAttention is { } flash)
        {
            parameters.FlashAttentionType = flash ? 1 : 0;
        }

        parameters.TypeK = (int)(_options.CacheTypeK ?? GgmlType.F16);
        parameters.TypeV = (int)(_options.CacheTypeV ?? GgmlType.F16);

        LlamaLogBridge.ClearLastError();
        _context = LlamaNative.llama_init_from_model(model.Handle, parameters);
        if (_context.IsInvalid)
        {
            throw new InvalidOperationException($"llama.cpp could not create a context for '{model.Id}': {LlamaLogBridge.LastError ?? "unknown error"}.");
        }

        // A persistent pool avoids creating and joining worker threads on every decode call (per token).
        _threadPool = maxThreads > 1 ? SafeGgmlThreadPoolHandle.Create(maxThreads) : null;
        if (_threadPool is not null)
        {
            LlamaNative.llama_attach_threadpool(_context, _threadPool, _threadPool);
        }

        _memory = LlamaNative.llama_get_memory(_context);
        ContextSize = (int)LlamaNative.llama_n_ctx_seq(_context);
        BatchSize = (int)LlamaNative.llama_n_batch(_context);
        ParallelSequences = _options.ParallelSequences;
        _slots = Enumerable.Range(0, ParallelSequences).Select(i => new Slot(i)).ToArray();
        try
        {
            _drafter = SpeculationSetup.CreateDrafter(model, _options.Speculation, ParallelSequences, ContextSize, BatchSize, threads, _threadPool);
        }
        catch
        {
            _context.Dispose();
            _threadPool?.Dispose();
            throw;
        }

        _promptStates = PromptStateStore.Open(model, _options, _logger);
        _worker = new Thread(Run) { IsBackground = true, Name = $"OffGrid engine ({model.Id})" };
        _worker.Start();
    }

    /// <summary>The model this engine serves.</summary>
    public LlamaModel Model { get; }

    /// <summary>The context window of one sequence in tokens (prompt plus answer).</summary>
    public int ContextSize { get; }

    /// <summary>How many requests are decoded together.</summary>
    public int ParallelSequences { get; }

    /// <summary>The most tokens sent to llama.cpp in one step.</summary>
    public int BatchSize { get; }

    /// <summary>Requests being decoded now.</summary>
    public int ActiveSequences => Volatile.Read(ref _active);

    /// <summary>Requests waiting for a free sequence.</summary>
    public int PendingRequests => _pending.Count;

    /// <summary>The threads llama.cpp uses for the next step (adapted to contention unless <see cref="LlamaEngineOptions.Threads"/> fixes them).</summary>
    internal int CurrentThreads => _tuner?.Threads ?? _fixedThreads ?? 1;

    /// <summary>
    /// A fixed thread count, at most the cores this process may use: llama.cpp's threads wait for each other at every
    /// step, so more threads than cores take turns and a step takes seconds instead of milliseconds.
    /// </summary>
    private int? ClampThreads(int? threads, string modelId)
    {
        int cores = Environment.ProcessorCount;
        if (threads is not { } requested || requested <= cores)
        {
            return threads;
        }

        _logger.LogWarning("{Threads} threads requested for {Model}, but this process may use only {Cores} cores; using one thread per core.", requested, modelId, cores);
        return cores;
    }

    /// <summary>Stops the worker, fails unfinished requests with <see cref="ObjectDisposedException"/> and frees the context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wakeup.Set();
        _worker.Join();
        foreach (Slot slot in _slots)
        {
            slot.Active?.Fail(new ObjectDisposedException(nameof(LlamaEngine)));
        }

        while (_pending.TryDequeue(out Sequence? sequence))
        {
            sequence.Fail(new ObjectDisposedException(nameof(LlamaEngine)));
        }

        if (_threadPool is not null)
        {
            LlamaNative.llama_detach_threadpool(_context);
        }

        _promptStates?.Dispose();
        (_drafter as IDisposable)?.Dispose();
        _context.Dispose();
        _threadPool?.Dispose();
        _wakeup.Dispose();
    }

    /// <summary>Queues a request; its updates arrive on the returned reader, which completes after the final update.</summary>
    /// <exception cref="ContextWindowExceededException">The prompt leaves no room in the context window.</exception>
    /// <exception cref="EngineOverloadedException">Too many requests are already waiting.</exception>
    internal ChannelReader<GenerationUpdate> Submit(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (request.PromptTokens.Length == 0)
        {
            throw new InvalidRequestException("The prompt is empty.", nameof(request));
        }

        if (request.PromptTokens.Length >= ContextSize)
        {
            throw new ContextWindowExceededException(request.PromptTokens.Length, ContextSize);
        }

        if (_pending.Count >= _options.MaxPendingRequests && ActiveSequences >= ParallelSequences)
        {
            throw new EngineOverloadedException(
                $"'{Model.Id}' is busy: all {ParallelSequences} sequences are decoding and the queue ({_options.MaxPendingRequests} waiting at most) is full; try again shortly.",
                TimeSpan.FromSeconds(1));
        }

        var sequence = new Sequence(request);

        // Cancelling wakes an idle worker so a waiting request is answered at once; the registration ends with
        // the request, so a long-lived token does not collect one per request.
        sequence.CancellationRegistration = request.CancellationToken.Register(static state => ((AutoResetEvent)state!).Set(), _wakeup);
        _pending.Enqueue(sequence);
        _wakeup.Set();
        return sequence.Output.Reader;
    }

    private void Run()
    {
        using var batch = new LlamaBatchBuffer(BatchSize);
        using var single = new LlamaBatchBuffer(1);
        var inBatch = new List<Sequence>(ParallelSequences);
        byte[] piece = new byte[256];
        while (!_disposed)
        {
            try
            {
                Admit();
                if (ActiveSequences == 0)
                {
                    _lastGenerationStep = 0;
                    _wakeup.WaitOne();
                    continue;
                }

                if (BuildBatch(batch, inBatch))
                {
                    Decode(batch, single, inBatch, piece);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "The engine step for '{Model}' failed; its active requests were ended.", Model.Id);
                foreach (Slot slot in _slots.Where(s => s.Active is not null))
                {
                    Release(slot, ex);
                }
            }
        }
    }

    private void Admit()
    {
        while (!_pending.IsEmpty)
        {
            Slot? slot = null;
            int reuse = 0;
            if (!_pending.TryPeek(out Sequence? next))
            {
                return;
            }

            if (next.Request.CancellationToken.IsCancellationRequested)
            {
                _pending.TryDequeue(out _);
                next.Complete(string.Empty, GenerationFinish.Cancelled);
                continue;
            }

            foreach (Slot candidate in _slots)
            {
                if (candidate.Active is not null)
                {
                    continue;
                }

                int common = CommonPrefix(candidate.Tokens, next.Request.PromptTokens);
                if (slot is null || common > reuse || (common == reuse && candidate.Tokens.Count < slot.Tokens.Count))
                {
                    (slot, reuse) = (candidate, common);
                }
            }

            if (slot is null)
            {
                return;
            }

            _pending.TryDequeue(out _);
            long admitted = Stopwatch.GetTimestamp();
            reuse = _promptStates?.TryRestore(_context, _memory, slot.Id, slot.Tokens, next.Request.PromptTokens, reuse) ?? reuse;

            // The last prompt token is always evaluated again: its logits choose the first answer token.
            reuse = Math.Min(reuse, next.Request.PromptTokens.Length - 1);
            if (slot.Tokens.Count > reuse)
            {
                LlamaNative.llama_memory_seq_rm(_memory, slot.Id, reuse, -1);
                slot.Tokens.RemoveRange(reuse, slot.Tokens.Count - reuse);
            }

            try
            {
                SamplingParameters sampling = next.Request.Sampling;
                next.Start(slot, SamplerChainFactory.IsGreedyOnly(sampling) ? null : SamplerChainFactory.Create(Model, sampling), reuse, StartBudget(sampling), admitted);
            }
            catch (ArgumentException ex)
            {
                next.Fail(ex);
                continue;
            }

            slot.Active = next;
            Interlocked.Increment(ref _active);
        }
    }

    private bool BuildBatch(LlamaBatchBuffer batch, List<Sequence> inBatch)
    {
        batch.Clear();
        inBatch.Clear();

        // Sequences that are generating add one token each first, so a long prompt never stalls them.
        foreach (Slot slot in _slots)
        {
            if (slot.Active is { IsGenerating: true } sequence && !CancelIfRequested(slot))
            {
                sequence.LogitIndex = batch.Add(sequence.NextToken, slot.Tokens.Count, slot.Id, outputLogits: true);
                inBatch.Add(sequence);
            }
        }

        if (_drafter is not null)
        {
            AddDrafts(batch, inBatch);
        }

        foreach (Slot slot in _slots)
        {
            if (slot.Active is not { IsGenerating: false } sequence || CancelIfRequested(slot))
            {
                continue;
            }

            int room = batch.Capacity - batch.Count;
            if (room == 0)
            {
                break;
            }

            int[] prompt = sequence.Request.PromptTokens;
            int take = Math.Min(room, prompt.Length - sequence.Evaluated);
            bool completes = sequence.Evaluated + take == prompt.Length;
            sequence.LogitIndex = -1;
            for (int i = 0; i < take; i++)
            {
                int position = sequence.Evaluated + i;
                int index = batch.Add(prompt[position], position, slot.Id, outputLogits: completes && i == take - 1);
                if (completes && i == take - 1)
                {
                    sequence.LogitIndex = index;
                }
            }

            sequence.Chunk = take;
            inBatch.Add(sequence);
        }

        return batch.Count > 0;
    }

    private void Decode(LlamaBatchBuffer batch, LlamaBatchBuffer single, List<Sequence> inBatch, byte[] piece)
    {
        // A step where every sequence adds one generated token can be decoded one sequence at a time instead.
        bool generation = batch.Count == inBatch.Count && inBatch.TrueForAll(s => s.IsGenerating);
        (bool split, bool probe) = generation ? _splitTuner.Plan(inBatch.Count, CurrentThreads) : (false, false);
        if (_tuner is not null)
        {
            // Probe steps of the split tuner are another shape of step: they would spoil the thread tuner's windows.
            TuneThreads(generation && !probe, split ? -batch.Count : batch.Count);
        }

        long started = Stopwatch.GetTimestamp();
        if (split)
        {
            foreach (Sequence sequence in inBatch)
            {
                single.Clear();
                sequence.LogitIndex = single.Add(sequence.NextToken, sequence.Slot!.Tokens.Count, sequence.Slot.Id, outputLogits: true);
                if (DecodeOrRelease(single, [sequence]))
                {
                    Advance(sequence, piece);
                }
            }
        }
        else if (DecodeOrRelease(batch, CollectionsMarshal.AsSpan(inBatch)))
        {
            foreach (Sequence sequence in inBatch)
            {
                Advance(sequence, piece);
            }
        }

        if (generation)
        {
            _splitTuner.Record(inBatch.Count, CurrentThreads, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private bool DecodeOrRelease(LlamaBatchBuffer batch, ReadOnlySpan<Sequence> inBatch)
    {
        int result = LlamaNative.llama_decode(_context, batch.ToNative());
        if (result == 0)
        {
            return true;
        }

        var error = new InvalidOperationException(result == 1
            ? "llama.cpp found no room in the KV cache for this batch."
            : $"llama_decode failed with code {result}.");
        foreach (Sequence sequence in inBatch)
        {
            LlamaNative.llama_memory_seq_rm(_memory, sequence.Slot!.Id, -1, -1);
            sequence.Slot.Tokens.Clear();
            Release(sequence.Slot, error);
        }

        return false;
    }

    // After a decode: the sequence's tokens are in the KV cache; sample (or verify drafts) from the logits.
    private void Advance(Sequence sequence, byte[] piece)
    {
        Slot slot = sequence.Slot!;
        if (sequence.IsGenerating)
        {
            slot.Tokens.Add(sequence.NextToken);
        }
        else
        {
            slot.Tokens.AddRange(sequence.Request.PromptTokens.AsSpan(sequence.Evaluated, sequence.Chunk));
            sequence.Evaluated += sequence.Chunk;
        }

        if (sequence.DraftCount > 0)
        {
            Verify(slot, sequence, piece);
        }
        else if (sequence.LogitIndex >= 0)
        {
            Sample(slot, sequence, piece);
        }
    }

    // The tuner is given the time from one generation step to the next, not the time inside llama_decode: under
    // contention an extra ggml thread can make decode itself look faster while sampling and streaming, which need a
    // core too, wait for it, and tokens/s halve.
    private void TuneThreads(bool generation, int shape)
    {
        long now = Stopwatch.GetTimestamp();
        if (generation && _lastGenerationStep != 0
            && _tuner!.Record(shape, Stopwatch.GetElapsedTime(_lastGenerationStep, now).TotalSeconds))
        {
            LlamaNative.llama_set_n_threads(_context, _tuner.Threads, _tuner.Threads);
        }

        _lastGenerationStep = generation ? now : 0;
    }

    // Each generating sequence gets a draft after its next token, as long as every other one still fits in the batch;
    // the drafted tokens are decoded with logits so that one step checks them all.
    private void AddDrafts(LlamaBatchBuffer batch, List<Sequence> inBatch)
    {
        foreach (Sequence sequence in inBatch)
        {
            Slot slot = sequence.Slot!;
            int budget = Math.Min(_options.Speculation.MaxDraftTokens, batch.Capacity - batch.Count);
            budget = Math.Min(budget, ContextSize - slot.Tokens.Count - 2);
            if (sequence.Request.MaxOutputTokens is { } max)
            {
                budget = Math.Min(budget, max - sequence.OutputTokens - 1);
            }

            sequence.DraftCount = 0;
            if (budget <= 0)
            {
                continue;
            }

            sequence.Draft ??= new int[_options.Speculation.MaxDraftTokens];
            sequence.DraftLogitIndex = batch.Count;
            int count = _drafter!.Draft(slot.Id, slot.Tokens, sequence.NextToken, sequence.Draft.AsSpan(0, budget));
            for (int i = 0; i < count; i++)
            {
                batch.Add(sequence.Draft[i], slot.Tokens.Count + 1 + i, slot.Id, outputLogits: true);
            }

            sequence.DraftCount = count;
            sequence.DraftedTokens += count;
        }
    }

    // Samples after the sequence's next token and after each drafted token in turn, with the request's own sampler, and
    // stops at the first sampled token that differs from the draft: that token is the correct next one, and everything
    // decoded after it is dropped from the KV cache.
    private void Verify(Slot slot, Sequence sequence, byte[] piece)
    {
        int drafted = sequence.DraftCount;
        sequence.DraftCount = 0;
        for (int i = 0; ; i++)
        {
            Sample(slot, sequence, piece);
            if (i == drafted || slot.Active != sequence || sequence.NextToken != sequence.Draft![i])
            {
                break;
            }

            slot.Tokens.Add(sequence.Draft[i]);
            sequence.AcceptedDraftTokens++;
            sequence.LogitIndex = sequence.DraftLogitIndex + i;
        }

        LlamaNative.llama_memory_seq_rm(_memory, slot.Id, slot.Tokens.Count, -1);
    }

    private unsafe void Sample(Slot slot, Sequence sequence, byte[] piece)
    {
        int token = sequence.Sampler is { } sampler
            ? LlamaNative.llama_sampler_sample(sampler, _context, sequence.LogitIndex)
            : GreedySampler.ArgMax(new ReadOnlySpan<float>(LlamaNative.llama_get_logits_ith(_context, sequence.LogitIndex), Model.VocabularySize));
        if (!sequence.IsGenerating)
        {
            sequence.PromptEvaluatedAt = Stopwatch.GetTimestamp();
        }

        if (!sequence.Request.IgnoreEndOfGeneration && Model.IsEndOfGeneration(token))
        {
            Finish(slot, sequence.Assembler.Flush(), GenerationFinish.Stop);
            return;
        }

        sequence.OutputTokens++;
        if (sequence.Budget is not null && ClosingInsteadOf(sequence, token, piece) is { } closing)
        {
            // The closing replaces the sampled token.
            sequence.OutputTokens--;
            FinishWithClosing(slot, sequence, string.Empty, closing);
            return;
        }

        sequence.OutputTokenIds.Add(token);

        int length = Model.TokenToPiece(token, piece, renderSpecial: false);
        (string text, bool stopped) = sequence.Assembler.Append(piece.AsSpan(0, length));
        if (stopped)
        {
            Finish(slot, text, GenerationFinish.Stop);
        }
        else if (sequence.OutputTokens >= (sequence.Request.MaxOutputTokens ?? int.MaxValue))
        {
            Finish(slot, text + sequence.Assembler.Flush(), GenerationFinish.Length);
        }
        else if (slot.Tokens.Count + 1 >= ContextSize)
        {
            // The closing is written, not decoded, so it needs no room in the context: a full context still closes.
            string rest = sequence.Budget?.Closing ?? string.Empty;
            FinishWithClosing(slot, sequence, text, (rest, TokensFor(rest, 0)));
        }
        else
        {
            sequence.NextToken = token;
            sequence.IsGenerating = true;
            if (text.Length > 0)
            {
                sequence.Emit(text);
            }
        }
    }

    // Grammar-constrained output stays closable within MaxOutputTokens: when the sampled token would leave too few
    // tokens to close the structure, the closing from the state before it is written instead, so the output is
    // complete whenever the budget allows any. Returns null to keep the token.
    private (string Text, int Tokens)? ClosingInsteadOf(Sequence sequence, int token, byte[] piece)
    {
        GrammarBudget before = sequence.Budget!;
        int length = Model.TokenToPiece(token, piece, renderSpecial: true);
        GrammarBudget after = sequence.Budget = before.Advance(piece.AsSpan(0, length));
        if (sequence.Request.MaxOutputTokens is not { } max)
        {
            return null;
        }

        int remaining = max - sequence.OutputTokens;
        if (TokensFor(after.Closing, remaining) <= remaining || before.Closing is not { Length: > 0 } closing)
        {
            return null;
        }

        int tokens = TokensFor(closing, 0);
        return tokens <= remaining + 1 ? (closing, tokens) : null;
    }

    // The tokens needed to write 'text', counted only when it might not fit 'limit' (a token never holds less than a
    // byte, and the tokenizer may add one for a leading space); otherwise 0. Empty or unknown (null) text costs nothing.
    private int TokensFor(string? text, int limit) =>
        string.IsNullOrEmpty(text) || System.Text.Encoding.UTF8.GetByteCount(text) + 1 <= limit ? 0 : Model.Tokenize(text, addSpecial: false, parseSpecial: true).Length;

    private void FinishWithClosing(Slot slot, Sequence sequence, string sampledText, (string Text, int Tokens) closing)
    {
        sequence.OutputTokens += closing.Tokens;
        if (closing.Text.Length > 0)
        {
            sequence.OutputTokenIds.AddRange(Model.Tokenize(closing.Text, addSpecial: false, parseSpecial: true));
        }

        (string text, bool stopped) = sequence.Assembler.Append(System.Text.Encoding.UTF8.GetBytes(closing.Text));
        if (stopped)
        {
            Finish(slot, sampledText + text, GenerationFinish.Stop);
            return;
        }

        slot.Active!.Complete(sampledText + text + sequence.Assembler.Flush(), GenerationFinish.Length, closing.Text.Length > 0 ? closing.Text : null);
        Release(slot, error: null);
    }

    private GrammarBudget? StartBudget(SamplingParameters sampling)
    {
        if (sampling.Grammar is not { } grammar)
        {
            return null;
        }

        try
        {
            return GrammarBudget.Start(CompiledGrammar.Parse(grammar), sampling.GrammarTriggerPatterns);
        }
        catch (FormatException ex)
        {
            // llama.cpp accepted the grammar (it parsed it first), so only the budget guarantee is lost.
            _logger.LogWarning(ex, "The output grammar could not be followed; output for '{Model}' may be cut off at the token limit.", Model.Id);
            return null;
        }
    }

    private bool CancelIfRequested(Slot slot)
    {
        if (!slot.Active!.Request.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        Finish(slot, string.Empty, GenerationFinish.Cancelled);
        return true;
    }

    private void Finish(Slot slot, string text, GenerationFinish finish)
    {
        slot.Active!.Complete(text, finish);
        Release(slot, error: null);
    }

    private void Release(Slot slot, Exception? error)
    {
        Sequence? sequence = slot.Active;
        if (sequence is null)
        {
            return;
        }

        // Rejected or unverified draft tokens may follow the slot's tokens in the KV cache; they must not outlive the step.
        LlamaNative.llama_memory_seq_rm(_memory, slot.Id, slot.Tokens.Count, -1);
        if (error is not null)
        {
            sequence.Fail(error);
        }
        else
        {
            _promptStates?.Save(_context, slot.Id, slot.Tokens);
        }

        sequence.Sampler?.Dispose();
        slot.Active = null;
        Interlocked.Decrement(ref _active);
    }

    private static int CommonPrefix(List<int> cached, int[] prompt)
    {
        int limit = Math.Min(cached.Count, prompt.Length);
        int i = 0;
        while (i < limit && cached[i] == prompt[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>A llama.cpp sequence id with the tokens its KV cache holds.</summary>
    private sealed class Slot(int id)
    {
        public int Id { get; } = id;

        public List<int> Tokens { get; } = [];

        public Sequence? Active { get; set; }
    }

    /// <summary>The state of one request while it waits or runs.</summary>
    private sealed class Sequence(GenerationRequest request)
    {
        public GenerationRequest Request { get; } = request;

        public Channel<GenerationUpdate> Output { get; } = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public TextAssembler Assembler { get; } = new(request.StopSequences);

        public Slot? Slot { get; private set; }

        /// <summary>The request's llama.cpp sampler chain; <see langword="null"/> when <see cref="GreedySampler"/> chooses instead.</summary>
        public SafeLlamaSamplerHandle? Sampler { get; private set; }

        public int CachedTokens { get; private set; }

        public int Evaluated { get; set; }

        public int Chunk { get; set; }

        public bool IsGenerating { get; set; }

        public int NextToken { get; set; }

        public int LogitIndex { get; set; } = -1;

        /// <summary>Draft tokens decoded after <see cref="NextToken"/> in this step (the first <see cref="DraftCount"/>).</summary>
        public int[]? Draft { get; set; }

        public int DraftCount { get; set; }

        /// <summary>The batch index of the first draft token: the logits after it follow the other sequences' tokens.</summary>
        public int DraftLogitIndex { get; set; }

        public int DraftedTokens { get; set; }

        public int AcceptedDraftTokens { get; set; }

        public int OutputTokens { get; set; }

        public List<int> OutputTokenIds { get; } = [];

        public CancellationTokenRegistration CancellationRegistration { get; set; }

        public long SubmittedAt { get; } = Stopwatch.GetTimestamp();

        public long StartedAt { get; private set; }

        public long PromptEvaluatedAt { get; set; }

        /// <summary>Where grammar-constrained output stands, or <see langword="null"/> without a grammar.</summary>
        public GrammarBudget? Budget { get; set; }

        public void Start(Slot slot, SafeLlamaSamplerHandle? sampler, int cachedTokens, GrammarBudget? budget, long admittedAt)
        {
            // From when the request left the queue: restoring a saved prompt state counts as prompt time.
            StartedAt = admittedAt;
            Slot = slot;
            Sampler = sampler;
            CachedTokens = cachedTokens;
            Evaluated = cachedTokens;
            Budget = budget;
        }

        public void Emit(string text) =>
            Output.Writer.TryWrite(new GenerationUpdate(text, null, Request.PromptTokens.Length, CachedTokens, OutputTokens));

        public void Complete(string text, GenerationFinish finish, string? closing = null)
        {
            long now = Stopwatch.GetTimestamp();
            Output.Writer.TryWrite(new GenerationUpdate(text, finish, Request.PromptTokens.Length, CachedTokens, OutputTokens)
            {
                QueueDuration = Stopwatch.GetElapsedTime(SubmittedAt, StartedAt != 0 ? StartedAt : now),
                AdmittedAt = StartedAt,
                FirstTokenAt = PromptEvaluatedAt != 0 ? PromptEvaluatedAt : now,
                FinishedAt = now,
                Closing = closing,
                OutputTokenIds = OutputTokenIds,
                DraftTokens = DraftedTokens,
                AcceptedDraftTokens = AcceptedDraftTokens,
            });
            Output.Writer.TryComplete();
            CancellationRegistration.Dispose();
        }

        public void Fail(Exception error)
        {
            Output.Writer.TryComplete(error);
            CancellationRegistration.Dispose();
        }
    }
}
