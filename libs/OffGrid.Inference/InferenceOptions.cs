using OffGrid.Inference.Pooling;

namespace OffGrid.Inference;

/// <summary>Options of <see cref="InferenceServiceCollectionExtensions.AddOffGridInference"/>.</summary>
public sealed class InferenceOptions
{
    /// <summary>The GGUF file behind the registered <c>IChatClient</c>; when unset, no chat client is registered.</summary>
    public string? ChatModelPath { get; set; }

    /// <summary>The GGUF file behind the registered embedding generator; when unset, no generator is registered.</summary>
    public string? EmbeddingModelPath { get; set; }

    /// <summary>How models are loaded, kept and scheduled (the runtime options included).</summary>
    public LlamaModelPoolOptions Pool { get; set; } = new();
}
