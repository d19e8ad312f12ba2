using OffGrid.Hub.Gguf;

namespace OffGrid.Inference.Models;

/// <summary>How a GGUF model is loaded.</summary>
public sealed class LlamaModelOptions
{
    /// <summary>
    /// Layers to offload to the GPU: <see langword="null"/> chooses automatically (all layers when a GPU backend is
    /// loaded, none otherwise), 0 keeps everything on the CPU, a negative value means all layers.
    /// </summary>
    public int? GpuLayers { get; set; }

    /// <summary>Whether to memory-map the file (fast loads, shared pages). Defaults to <see langword="true"/>.</summary>
    public bool UseMemoryMap { get; set; } = true;

    /// <summary>Whether to lock the weights in RAM so they are never swapped out.</summary>
    public bool LockMemory { get; set; }

    /// <summary>
    /// The context size the memory check assumes when deciding whether the model fits; defaults to 4096 tokens
    /// or the model's trained context, whichever is smaller.
    /// </summary>
    public int? PlannedContextSize { get; set; }

    /// <summary>The key cache type the memory check assumes; <see langword="null"/> for F16 (see <see cref="Engine.LlamaEngineOptions.CacheTypeK"/>).</summary>
    public GgmlType? PlannedCacheTypeK { get; set; }

    /// <summary>The value cache type the memory check assumes; <see langword="null"/> for F16 (see <see cref="Engine.LlamaEngineOptions.CacheTypeV"/>).</summary>
    public GgmlType? PlannedCacheTypeV { get; set; }

    /// <summary>Skips the check that refuses to load a model that will not fit in available memory.</summary>
    public bool SkipMemoryCheck { get; set; }

    /// <summary>
    /// Loads only the tokenizer (llama.cpp's <c>vocab_only</c>): <see cref="LlamaModel.Tokenize"/> and
    /// <see cref="LlamaModel.Detokenize"/> work, generation and embeddings do not. Fast and small, for counting tokens.
    /// </summary>
    public bool VocabularyOnly { get; set; }

    /// <summary>These options with the memory check planned for <paramref name="engine"/>'s cache types (this instance when they are the defaults).</summary>
    internal LlamaModelOptions PlannedFor(Engine.LlamaEngineOptions engine) => engine.CacheTypeK is null && engine.CacheTypeV is null ? this : new LlamaModelOptions
    {
        GpuLayers = GpuLayers,
        UseMemoryMap = UseMemoryMap,
        LockMemory = LockMemory,
        PlannedContextSize = PlannedContextSize,
        PlannedCacheTypeK = engine.CacheTypeK,
        PlannedCacheTypeV = engine.CacheTypeV,
        SkipMemoryCheck = SkipMemoryCheck,
        VocabularyOnly = VocabularyOnly,
    };
}
