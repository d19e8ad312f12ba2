using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>Mirror of <c>struct llama_model_quantize_params</c> in llama.h (pinned version, see <see cref="Runtime.LlamaRuntimeCatalog"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelQuantizeParams
{
    public int ThreadCount;
    public int FileType;
    public int OutputTensorType;
    public int TokenEmbeddingType;
    public byte AllowRequantize;
    public byte QuantizeOutputTensor;
    public byte OnlyCopy;
    public byte Pure;
    public byte KeepSplit;
    public byte DryRun;
    public IntPtr ImportanceMatrix;
    public IntPtr KvOverrides;
    public IntPtr TensorTypeOverrides;
    public IntPtr PruneLayers;
    public nuint MaxBufferSize;
}
