using OffGrid.Inference.Pooling;

namespace OffGrid.Inference;

/// <summary>Options of <c>AddOffGridInference</c>: how the shared <see cref="LlamaModelPool"/> loads, keeps and schedules models.</summary>
public sealed class InferenceOptions
{
    /// <summary>How models are loaded, kept and scheduled (the runtime options included).</summary>
    public LlamaModelPoolOptions Pool { get; set; } = new();
}
