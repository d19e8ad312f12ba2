using OffGrid.Inference.Runtime;

namespace OffGrid.Testing.LlamaCpp;

/// <summary>The llama.cpp runtime for tests, installed once into the test cache through OffGrid's own installer.</summary>
internal static class TestLlamaRuntime
{
    private static readonly Lazy<Task<LlamaRuntime>> s_runtime = new(() => LlamaRuntime.LoadAsync(Options));

    /// <summary>The runtime options every test uses: the CPU build, installed under the test cache.</summary>
    public static LlamaRuntimeOptions Options => new() { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };

    /// <summary>Loads (installing on first use) the runtime.</summary>
    public static Task<LlamaRuntime> EnsureLoadedAsync() => s_runtime.Value;
}
