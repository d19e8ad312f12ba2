using Microsoft.Win32.SafeHandles;

namespace OffGrid.Inference.Native;

/// <summary>Owns a <c>llama_sampler*</c> (usually a chain, which owns the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaSamplerHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
