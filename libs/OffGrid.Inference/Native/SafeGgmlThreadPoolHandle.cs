using Microsoft.Win32.SafeHandles;

namespace OffGrid.Inference.Native;

/// <summary>
/// Owns a ggml CPU thread pool. The CPU backend is loaded at run time, so its <c>ggml_threadpool_new</c> and
/// <c>ggml_threadpool_free</c> are reached through the backend registry rather than a P/Invoke import.
/// </summary>
internal sealed unsafe class SafeGgmlThreadPoolHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private delegate* unmanaged[Cdecl]<IntPtr, void> _free;

    public SafeGgmlThreadPoolHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>
    /// Creates a pool of <paramref name="threads"/> threads that sleep between graph computations instead of
    /// polling, or returns <see langword="null"/> when the CPU backend does not offer thread pools.
    /// </summary>
    public static SafeGgmlThreadPoolHandle? Create(int threads)
    {
        IntPtr registry = LlamaNative.ggml_backend_reg_by_name("CPU");
        if (registry == IntPtr.Zero)
        {
            return null;
        }

        var create = (delegate* unmanaged[Cdecl]<GgmlThreadPoolParams*, IntPtr>)LlamaNative.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_new");
        var free = (delegate* unmanaged[Cdecl]<IntPtr, void>)LlamaNative.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_free");
        if (create is null || free is null)
        {
            return null;
        }

        // Polling keeps idle workers spinning on a core; on small machines that core is needed by the threads that
        // stream tokens to callers, and a spinning worker delays every other thread of the process.
        GgmlThreadPoolParams parameters = LlamaNative.ggml_threadpool_params_default(threads);
        parameters.Poll = 0;
        IntPtr pool = create(&parameters);
        if (pool == IntPtr.Zero)
        {
            return null;
        }

        var handle = new SafeGgmlThreadPoolHandle { _free = free };
        handle.SetHandle(pool);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        _free(handle);
        return true;
    }
}
