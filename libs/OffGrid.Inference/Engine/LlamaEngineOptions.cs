using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Engine.State;

namespace OffGrid.Inference.Engine;

/// <summary>How a <see cref="LlamaEngine"/> schedules work on one loaded model.</summary>
public sealed class LlamaEngineOptions
{
    /// <summary>
    /// How many requests are decoded together (continuous batching). Each gets its own slot of
    /// <see cref="ContextSize"/> tokens. Defaults to 4.
    /// </summary>
    public int ParallelSequences { get; set; } = 4;

    /// <summary>The context (prompt plus answer) of each sequence in tokens; defaults to the smaller of 4096 and the trained context.</summary>
    public int? ContextSize { get; set; }

    /// <summary>The most tokens sent to llama.cpp in one decode call; long prompts are split. Defaults to 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Threads for generation and prompt processing; defaults to the physical cores.</summary>
    public int? Threads { get; set; }

    /// <summary>Requests that may wait for a free sequence before new ones are refused with <see cref="EngineOverloadedException"/>. Defaults to 64.</summary>
    public int MaxPendingRequests { get; set; } = 64;

    /// <summary>Whether to use flash attention: <see langword="null"/> lets llama.cpp decide.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Speculative decoding with a draft model or prompt lookup; off by default.</summary>
    public SpeculativeDecodingOptions Speculation { get; set; } = new();

    /// <summary>Saving prompts' KV state to disk and restoring it for prompts that start the same way; off by default.</summary>
    public PromptCacheOptions PromptCache { get; set; } = new();

    /// <summary>A copy of these options with another per-sequence context size (<see langword="null"/> keeps this one).</summary>
    internal LlamaEngineOptions WithContextSize(int? contextSize) => contextSize is null ? this : new LlamaEngineOptions
    {
        ParallelSequences = ParallelSequences,
        ContextSize = contextSize,
        BatchSize = BatchSize,
        Threads = Threads,
        MaxPendingRequests = MaxPendingRequests,
        FlashAttention = FlashAttention,
        Speculation = Speculation,
        PromptCache = PromptCache,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelSequences, 1, nameof(ParallelSequences));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPendingRequests, nameof(MaxPendingRequests));
        if (ContextSize is { } context)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(context, 16, nameof(ContextSize));
        }

        if (Threads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(Threads));
        }

        ArgumentNullException.ThrowIfNull(Speculation);
        ArgumentNullException.ThrowIfNull(PromptCache);
        Speculation.Validate();
        PromptCache.Validate();
    }
}
