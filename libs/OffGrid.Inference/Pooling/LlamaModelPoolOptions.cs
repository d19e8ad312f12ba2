using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;

namespace OffGrid.Inference.Pooling;

/// <summary>How a <see cref="LlamaModelPool"/> loads, keeps and evicts models.</summary>
public sealed class LlamaModelPoolOptions
{
    /// <summary>The most models kept loaded at once; the least recently used idle one is unloaded first. Defaults to 2.</summary>
    public int MaxLoadedModels { get; set; } = 2;

    /// <summary>
    /// The most memory, in bytes, the loaded models may need together by their estimate (weights plus KV cache of every
    /// sequence, from the GGUF header, see <see cref="Hub.Gguf.ModelMemoryEstimate"/>); the least recently used idle,
    /// unpinned models are unloaded until a new one fits. <see langword="null"/> (the default) counts models only. A model
    /// larger than the whole budget still loads when nothing else is loaded.
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>
    /// How long an unused model stays loaded (Ollama's <c>keep_alive</c>). <see cref="TimeSpan.Zero"/> unloads as soon as
    /// the last lease ends; a negative value keeps models until evicted. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the llama.cpp runtime comes from (installed on first use when missing).</summary>
    public LlamaRuntimeOptions Runtime { get; set; } = new();

    /// <summary>How models are loaded.</summary>
    public LlamaModelOptions Model { get; set; } = new();

    /// <summary>How each model's engine schedules requests.</summary>
    public LlamaEngineOptions Engine { get; set; } = new();

    /// <summary>Defaults of the chat client of each model.</summary>
    public LlamaChatClientOptions Chat { get; set; } = new();

    /// <summary>Options of the embedding generator of each model (created on first use).</summary>
    public LlamaEmbeddingGeneratorOptions Embeddings { get; set; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLoadedModels, 1, nameof(MaxLoadedModels));
        if (MemoryBudgetBytes is { } budget)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1, nameof(MemoryBudgetBytes));
        }

        ArgumentNullException.ThrowIfNull(Runtime);
        ArgumentNullException.ThrowIfNull(Model);
        ArgumentNullException.ThrowIfNull(Engine);
        ArgumentNullException.ThrowIfNull(Chat);
        ArgumentNullException.ThrowIfNull(Embeddings);
        Engine.Validate();
    }
}
