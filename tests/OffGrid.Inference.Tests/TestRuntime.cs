using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests;

/// <summary>
/// Loads the llama.cpp runtime once per test process through OffGrid's own installer (the code path of a
/// user's first run), installing into the test cache.
/// </summary>
internal static class TestRuntime
{
    private static readonly Lazy<Task<LlamaRuntime>> s_runtime = new(() => LlamaRuntime.LoadAsync(new LlamaRuntimeOptions
    {
        InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"),
        Variant = LlamaRuntimeVariant.Cpu,
    }));

    public static Task<LlamaRuntime> EnsureLoadedAsync() => s_runtime.Value;
}
