using System.Diagnostics;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Bench;

/// <summary>
/// The reference: the plainest llama.cpp C-API generation loop, called straight through <see cref="LlamaNative"/>.
/// Decodes every prompt (in <c>n_batch</c> chunks), then one <c>llama_decode</c> per step holding the next token of
/// every sequence, each sampled by its own greedy sampler. Nothing else: no channels, no text, no scheduler.
/// </summary>
internal sealed class PlainLlamaLoop : IDisposable
{
    private const int BatchSize = 512;

    private readonly SafeLlamaContextHandle _context;
    private readonly IntPtr _memory;
    private readonly LlamaBatchBuffer _batch = new(BatchSize);
    private readonly SafeLlamaSamplerHandle[] _samplers;

    /// <summary>Creates the context.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sequences">Sequences generated together.</param>
    /// <param name="contextPerSequence">KV cells per sequence.</param>
    /// <param name="threads">llama.cpp threads.</param>
    /// <param name="contextSequences">The context's <c>n_seq_max</c> (at least <paramref name="sequences"/>): more than needed mirrors an engine with idle slots.</param>
    public PlainLlamaLoop(LlamaModel model, int sequences, int contextPerSequence, int threads, int? contextSequences = null)
    {
        int slots = Math.Max(sequences, contextSequences ?? sequences);
        LlamaContextParams parameters = LlamaNative.llama_context_default_params();
        parameters.ContextSize = (uint)(contextPerSequence * slots);
        parameters.MaxSequences = (uint)slots;
        parameters.KvUnified = 0;
        parameters.BatchSize = BatchSize;
        parameters.MicroBatchSize = BatchSize;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        parameters.NoPerf = 1;
        _context = LlamaNative.llama_init_from_model(model.Handle, parameters);
        if (_context.IsInvalid)
        {
            throw new InvalidOperationException($"llama.cpp could not create a context: {LlamaLogBridge.LastError ?? "unknown error"}.");
        }

        _memory = LlamaNative.llama_get_memory(_context);
        _samplers = new SafeLlamaSamplerHandle[sequences];
        for (int i = 0; i < sequences; i++)
        {
            _samplers[i] = LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params());
            LlamaNative.llama_sampler_chain_add(_samplers[i], LlamaNative.llama_sampler_init_greedy());
        }
    }

    public int Sequences => _samplers.Length;

    /// <summary>Generates <paramref name="outputTokens"/> tokens for each prompt (one sequence each) from an empty cache.</summary>
    public Throughput Run(IReadOnlyList<int[]> prompts, int outputTokens)
    {
        if (prompts.Count != Sequences)
        {
            throw new ArgumentException($"Expected {Sequences} prompts.", nameof(prompts));
        }

        LlamaNative.llama_memory_clear(_memory, data: true);
        int[] next = new int[Sequences];
        var started = Stopwatch.GetTimestamp();
        DecodePrompts(prompts, next);
        long promptsDone = Stopwatch.GetTimestamp();
        for (int step = 1; step < outputTokens; step++)
        {
            _batch.Clear();
            for (int s = 0; s < Sequences; s++)
            {
                _batch.Add(next[s], prompts[s].Length + step - 1, s, outputLogits: true);
            }

            Decode();
            for (int s = 0; s < Sequences; s++)
            {
                next[s] = LlamaNative.llama_sampler_sample(_samplers[s], _context, s);
            }
        }

        long finished = Stopwatch.GetTimestamp();
        return new Throughput(
            prompts.Sum(p => p.Length), Stopwatch.GetElapsedTime(started, promptsDone),
            Sequences * (outputTokens - 1), Stopwatch.GetElapsedTime(promptsDone, finished), TimeSpan.Zero);
    }

    public void Dispose()
    {
        foreach (SafeLlamaSamplerHandle sampler in _samplers)
        {
            sampler.Dispose();
        }

        _batch.Dispose();
        _context.Dispose();
    }

    /// <summary>Evaluates every prompt and samples each sequence's first token from its last prompt position.</summary>
    private void DecodePrompts(IReadOnlyList<int[]> prompts, int[] first)
    {
        var lastTokens = new List<(int Sequence, int Index)>();
        _batch.Clear();
        for (int s = 0; s < Sequences; s++)
        {
            int[] prompt = prompts[s];
            for (int position = 0; position < prompt.Length; position++)
            {
                if (_batch.Count == _batch.Capacity)
                {
                    DecodeAndSample(lastTokens, first);
                }

                bool last = position == prompt.Length - 1;
                int index = _batch.Add(prompt[position], position, s, outputLogits: last);
                if (last)
                {
                    lastTokens.Add((s, index));
                }
            }
        }

        DecodeAndSample(lastTokens, first);
    }

    private void DecodeAndSample(List<(int Sequence, int Index)> lastTokens, int[] first)
    {
        Decode();
        foreach ((int sequence, int index) in lastTokens)
        {
            first[sequence] = LlamaNative.llama_sampler_sample(_samplers[sequence], _context, index);
        }

        lastTokens.Clear();
        _batch.Clear();
    }

    private void Decode()
    {
        int result = LlamaNative.llama_decode(_context, _batch.ToNative());
        if (result != 0)
        {
            throw new InvalidOperationException($"llama_decode failed with code {result}.");
        }
    }
}
