namespace OffGrid.Testing.Gguf;

/// <summary>Tensor storage types the writer can produce from float data (ggml numbering).</summary>
internal enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 8,
}
