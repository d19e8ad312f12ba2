namespace OffGrid.Inference.Quantization;

/// <summary>How far a quantization is: the tensor llama.cpp has just written out of all the model's tensors.</summary>
/// <param name="Tensor">The 1-based index of the tensor just written.</param>
/// <param name="TensorCount">The number of tensors in the model.</param>
/// <param name="TensorName">The GGUF name of the tensor, for example <c>blk.0.attn_q.weight</c>.</param>
public readonly record struct QuantizationProgress(int Tensor, int TensorCount, string TensorName)
{
    /// <summary>
    /// Gets how many tensors llama.cpp writes as another type than the target's so far, because their rows are not a
    /// multiple of the target type's block size (its "fallback quantization"); all of them are counted before the first
    /// tensor is written.
    /// </summary>
    public int FallbackTensors { get; init; }

    /// <summary>Gets the fraction done, from 0 to 1 (by tensor count, not bytes).</summary>
    public double Fraction => TensorCount == 0 ? 0 : (double)Tensor / TensorCount;
}
