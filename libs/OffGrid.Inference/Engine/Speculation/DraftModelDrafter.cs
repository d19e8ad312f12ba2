using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Engine.Speculation;

/// <summary>
/// Drafts with a second, smaller model that decodes greedily in its own llama.cpp context, one sequence per engine slot.
/// Each call first brings the draft's cache up to the target's tokens (dropping a rejected draft, evaluating new
/// tokens), so a slot reused by another request costs no more than its new prompt.
/// </summary>
/// <remarks>Used only from the engine's worker thread; owns the draft model and disposes it.</remarks>
internal sealed class DraftModelDrafter : ITokenDrafter, IDisposable
{
    private readonly LlamaModel _model;
    private readonly SafeLlamaContextHandle _context;
    private readonly SafeLlamaSamplerHandle _greedy;
    private readonly IntPtr _memory;
    private readonly LlamaBatchBuffer _batch;
    private readonly List<int>[] _cached;
    private readonly int _contextSize;
    private readonly bool _sharesThreadPool;

    /// <param name="target">The engine's model, whose vocabulary the draft must share.</param>
    /// <param name="draft">The draft model; the drafter owns it from here on.</param>
    /// <param name="sequences">The engine's sequence slots.</param>
    /// <param name="contextSize">The context of one sequence in tokens.</param>
    /// <param name="batchSize">The most tokens per decode call.</param>
    /// <param name="threads">CPU threads for the draft.</param>
    /// <param name="threadPool">The engine's persistent thread pool, shared because the engine's thread runs both contexts in turn; <see langword="null"/> for one thread.</param>
    /// <exception cref="ModelLoadException">The vocabularies differ, or llama.cpp cannot create the draft's context.</exception>
    public DraftModelDrafter(LlamaModel target, LlamaModel draft, int sequences, int contextSize, int batchSize, int threads, SafeGgmlThreadPoolHandle? threadPool)
    {
        DraftVocabularyCheck.EnsureCompatible(target, draft);
        LlamaContextParams parameters = LlamaNative.llama_context_default_params();
        parameters.ContextSize = (uint)LlamaEngineOptions.TotalContextSize(contextSize, sequences);
        parameters.MaxSequences = (uint)sequences;
        parameters.BatchSize = (uint)batchSize;
        parameters.MicroBatchSize = (uint)batchSize;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        parameters.KvUnified = 0;
        parameters.NoPerf = 1;
        LlamaLogBridge.ClearLastError();
        _context = LlamaNative.llama_init_from_model(draft.Handle, parameters);
        if (_context.IsInvalid)
        {
            throw new ModelLoadException($"llama.cpp could not create a context for the draft model '{draft.Path}': {LlamaLogBridge.LastError ?? "unknown error"}.");
        }

        // Without a persistent pool every draft step would start and join its worker threads (the cost the engine avoids).
        if (threadPool is not null)
        {
            LlamaNative.llama_attach_threadpool(_context, threadPool, threadPool);
            _sharesThreadPool = true;
        }

        _model = draft;
        _memory = LlamaNative.llama_get_memory(_context);
        _contextSize = (int)LlamaNative.llama_n_ctx_seq(_context);
        _batch = new LlamaBatchBuffer((int)LlamaNative.llama_n_batch(_context));
        _greedy = LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params());
        LlamaNative.llama_sampler_chain_add(_greedy, LlamaNative.llama_sampler_init_greedy());
        _cached = Enumerable.Range(0, sequences).Select(_ => new List<int>()).ToArray();
    }

    public int Draft(int sequenceId, IReadOnlyList<int> history, int last, Span<int> destination)
    {
        List<int> cached = _cached[sequenceId];
        int total = history.Count + 1;
        if (total + destination.Length >= _contextSize)
        {
            return 0;
        }

        int At(int i) => i < history.Count ? history[i] : last;

        // The last token is evaluated again when it is cached, because its logits give the first draft token.
        int common = 0;
        while (common < cached.Count && common < total - 1 && cached[common] == At(common))
        {
            common++;
        }

        if (cached.Count > common)
        {
            LlamaNative.llama_memory_seq_rm(_memory, sequenceId, common, -1);
            cached.RemoveRange(common, cached.Count - common);
        }

        int logits = -1;
        while (cached.Count < total)
        {
            _batch.Clear();
            int take = Math.Min(_batch.Capacity, total - cached.Count);
            for (int i = 0; i < take; i++)
            {
                int position = cached.Count + i;
                logits = _batch.Add(At(position), position, sequenceId, outputLogits: position == total - 1);
            }

            if (!Decode(sequenceId))
            {
                return 0;
            }

            for (int i = 0; i < take; i++)
            {
                cached.Add(At(cached.Count));
            }
        }

        int count = 0;
        while (count < destination.Length)
        {
            int token = LlamaNative.llama_sampler_sample(_greedy, _context, logits);
            if (_model.IsEndOfGeneration(token))
            {
                break;
            }

            destination[count++] = token;
            if (count == destination.Length)
            {
                break;
            }

            _batch.Clear();
            logits = _batch.Add(token, cached.Count, sequenceId, outputLogits: true);
            if (!Decode(sequenceId))
            {
                break;
            }

            cached.Add(token);
        }

        return count;
    }

    public void Dispose()
    {
        _batch.Dispose();
        _greedy.Dispose();
        if (_sharesThreadPool)
        {
            LlamaNative.llama_detach_threadpool(_context);
        }

        _context.Dispose();
        _model.Dispose();
    }

    // A failed draft step only costs the speedup: the draft's cache for the sequence starts over.
    private bool Decode(int sequenceId)
    {
        if (LlamaNative.llama_decode(_context, _batch.ToNative()) == 0)
        {
            return true;
        }

        LlamaNative.llama_memory_seq_rm(_memory, sequenceId, -1, -1);
        _cached[sequenceId].Clear();
        return false;
    }
}
