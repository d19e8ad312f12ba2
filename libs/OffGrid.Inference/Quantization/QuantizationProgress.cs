namespace OffGrid.Inference.Quantization;

/// <summary>How far a quantization is: the tensor llama.cpp has just written out of all the model's tensors.</summary>
/// <param name="Tensor">The 1-based index of the tensor just written.</param>
/// <param name="TensorCount">The number of tensors in the model.</param>
/// <param name="TensorName">The GGUF name of the tensor, for example <c>blk.0.attn_q.weight</c>.</param>
public readonly record struct QuantizationProgress(int Tensor, int TensorCount, string TensorName)
{
    /// <summary>Gets the fraction done, from 0 to 1 (by tensor count, not bytes).</summary>
    public double Fraction => TensorCount == 0 ? 0 : (double)Tensor / TensorCount;
}
