using Microsoft.Win32.SafeHandles;

namespace OffGrid.Inference.Native;

/// <summary>Owns a <c>llama_context*</c>; frees it with <c>llama_free</c>.</summary>
internal sealed class SafeLlamaContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaContextHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        return true;
    }
}
