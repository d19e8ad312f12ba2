using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>Mirror of <c>struct ggml_threadpool_params</c> in ggml.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgmlThreadPoolParams
{
    public CpuMask Cpumask;
    public int ThreadCount;
    public int Priority;
    public uint Poll;
    public byte StrictCpu;
    public byte Paused;

    /// <summary><c>bool cpumask[GGML_MAX_N_THREADS]</c> (512 entries).</summary>
    [InlineArray(512)]
    internal struct CpuMask
    {
        private byte _element;
    }
}
