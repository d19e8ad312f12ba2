using OffGrid.Hub.Gguf;
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

    /// <summary>
    /// Threads for generation and prompt processing. <see langword="null"/> (the default) starts with the physical cores
    /// that are free (affinity, cgroup CPU quota, 1-minute load average) and adapts while generating: it periodically tries
    /// one thread fewer or more and keeps the faster count. A set value is used as is.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Requests that may wait for a free sequence before new ones are refused with <see cref="EngineOverloadedException"/>. Defaults to 64.</summary>
    public int MaxPendingRequests { get; set; } = 64;

    /// <summary>Whether to use flash attention: <see langword="null"/> lets llama.cpp decide (auto), <see langword="true"/> on, <see langword="false"/> off.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Speculative decoding with a draft model or prompt lookup; off by default.</summary>
    public SpeculativeDecodingOptions Speculation { get; set; } = new();

    /// <summary>Saving prompts' KV state to disk and restoring it for prompts that start the same way; off by default.</summary>
    public PromptCacheOptions PromptCache { get; set; } = new();

    /// <summary>
    /// The element type of the key cache, one of <see cref="SupportedCacheTypes"/>; <see langword="null"/> keeps
    /// llama.cpp's default, <see cref="GgmlType.F16"/>. <see cref="GgmlType.Q8_0"/> halves the cache with little quality loss.
    /// </summary>
    public GgmlType? CacheTypeK { get; set; }

    /// <summary>
    /// The element type of the value cache, one of <see cref="SupportedCacheTypes"/>; <see langword="null"/> keeps
    /// <see cref="GgmlType.F16"/>. llama.cpp stores a quantized value cache only with flash attention, so a quantized
    /// type with <see cref="FlashAttention"/> set to <see langword="false"/> is refused.
    /// </summary>
    public GgmlType? CacheTypeV { get; set; }

    /// <summary>
    /// Whether generation steps decode their sequences one call each (<see langword="true"/>) or in one batch
    /// (<see langword="false"/>); <see langword="null"/> (the default) times both and keeps the faster
    /// (<see cref="BatchSplitTuner"/>). Tests fix it to reach one path for certain.
    /// </summary>
    internal bool? SplitGenerationSteps { get; init; }

    /// <summary>The cache types llama.cpp accepts for <see cref="CacheTypeK"/> and <see cref="CacheTypeV"/> (its <c>--cache-type-k</c> list).</summary>
    public static IReadOnlyList<GgmlType> SupportedCacheTypes { get; } =
        [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.IQ4_NL, GgmlType.Q5_0, GgmlType.Q5_1];

    /// <summary>Describes what is wrong with <see cref="CacheTypeK"/>, <see cref="CacheTypeV"/> and <see cref="FlashAttention"/> together.</summary>
    /// <returns>One sentence per problem, naming the setting and llama.cpp's names of the accepted values; empty when they are valid.</returns>
    public IReadOnlyList<string> GetCacheTypeErrors()
    {
        var errors = new List<string>();
        foreach ((string name, GgmlType? type) in new[] { (nameof(CacheTypeK), CacheTypeK), (nameof(CacheTypeV), CacheTypeV) })
        {
            if (type is { } value && !SupportedCacheTypes.Contains(value))
            {
                errors.Add($"{name} {CacheTypeName(value)} is not a KV cache type llama.cpp accepts; use one of {string.Join(", ", SupportedCacheTypes.Select(CacheTypeName))}.");
            }
        }

        if (CacheTypeV is { } v && IsQuantizedCacheType(v) && FlashAttention == false)
        {
            errors.Add($"{nameof(CacheTypeV)} {CacheTypeName(v)} needs flash attention: llama.cpp stores a quantized value cache only with it; turn {nameof(FlashAttention)} on or leave it on auto.");
        }

        return errors;
    }

    /// <summary>
    /// Checks that <paramref name="model"/> can use <see cref="CacheTypeK"/> and <see cref="CacheTypeV"/>: llama.cpp stores
    /// each attention head's keys (values) in whole blocks of a quantized type, so the block size (32 for <c>q8_0</c>)
    /// must divide the key (value) head size. With flash attention llama.cpp refuses other sizes itself; without it a
    /// quantized key cache is accepted and corrupts the answers, so the check runs before any context is created.
    /// </summary>
    /// <param name="model">The model's GGUF header; a header without the attention shape passes.</param>
    /// <param name="modelName">The model's name for the message.</param>
    /// <exception cref="UnsupportedCacheTypeException">A cache type's block size does not divide the head size.</exception>
    public void EnsureCacheTypesFit(GgufFile model, string modelName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(modelName);
        foreach ((string cache, string setting, GgmlType? type, long? headSize, string llamaName, string option) in new[]
        {
            ("key", "K", CacheTypeK, model.KeyLength, "n_embd_head_k", nameof(CacheTypeK)),
            ("value", "V", CacheTypeV, model.ValueLength, "n_embd_head_v", nameof(CacheTypeV)),
        })
        {
            if (type is { } value && headSize is { } size && GgmlTypeLayout.TryGetBlock(value, out int block, out _) && size % block != 0)
            {
                throw new UnsupportedCacheTypeException(
                    $"'{modelName}' cannot use the {setting} cache type {CacheTypeName(value)}: its block size {block} does not divide the model's {cache} head size {size} ({llamaName}); use f16, bf16 or f32 for this model.",
                    value,
                    option);
            }
        }
    }

    /// <summary>llama.cpp's name of a cache type (<c>q8_0</c>, <c>f16</c>).</summary>
    internal static string CacheTypeName(GgmlType type) => type.ToString().ToLowerInvariant();

    /// <summary>Whether <paramref name="type"/> is a quantized (block) type rather than a float type.</summary>
    public static bool IsQuantizedCacheType(GgmlType type) => type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16);

    /// <summary>
    /// The context llama.cpp allocates for all sequences: <paramref name="perSequence"/> tokens times
    /// <paramref name="sequences"/>, in 64-bit arithmetic so that a huge per-sequence size cannot wrap around.
    /// </summary>
    /// <exception cref="InvalidRequestException">The product exceeds <see cref="int.MaxValue"/> tokens (llama.cpp's <c>n_ctx</c> is 32-bit).</exception>
    internal static int TotalContextSize(int perSequence, int sequences)
    {
        long total = (long)perSequence * sequences;
        return total <= int.MaxValue
            ? (int)total
            : throw new InvalidRequestException(
                $"num_ctx {perSequence} times {sequences} parallel sequences is {total} tokens, more than the {int.MaxValue} one context can hold.", Chat.LlamaChatOptions.ContextSizeKey);
    }

    /// <summary>A copy of these options with another per-sequence context size (<see langword="null"/> keeps this one).</summary>
    internal LlamaEngineOptions WithContextSize(int? contextSize) => contextSize is null ? this : new LlamaEngineOptions
    {
        ParallelSequences = ParallelSequences,
        ContextSize = contextSize,
        BatchSize = BatchSize,
        Threads = Threads,
        MaxPendingRequests = MaxPendingRequests,
        FlashAttention = FlashAttention,
        CacheTypeK = CacheTypeK,
        CacheTypeV = CacheTypeV,
        Speculation = Speculation,
        PromptCache = PromptCache,
        SplitGenerationSteps = SplitGenerationSteps,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelSequences, 1, nameof(ParallelSequences));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPendingRequests, nameof(MaxPendingRequests));
        if (ContextSize is { } context)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(context, 16, nameof(ContextSize));
            ArgumentOutOfRangeException.ThrowIfGreaterThan((long)context * ParallelSequences, int.MaxValue, "ContextSize × ParallelSequences");
        }

        if (Threads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(Threads));
        }

        if (GetCacheTypeErrors() is [string error, ..])
        {
            throw new ArgumentException(error, CacheTypeK is { } k && !SupportedCacheTypes.Contains(k) ? nameof(CacheTypeK) : nameof(CacheTypeV));
        }

        ArgumentNullException.ThrowIfNull(Speculation);
        ArgumentNullException.ThrowIfNull(PromptCache);
        Speculation.Validate();
        PromptCache.Validate();
    }
}
