using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>Mirror of <c>llama_token_data_array</c> in llama.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* Data;
    public nuint Size;
    public long Selected;
    public byte Sorted;
}
