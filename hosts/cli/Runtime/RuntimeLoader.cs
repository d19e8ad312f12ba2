using OffGrid.Cli.Output;
using OffGrid.Inference.Runtime;

namespace OffGrid.Cli.Runtime;

/// <summary>Loads the llama.cpp runtime for a command, showing the download when the first use installs it.</summary>
internal static class RuntimeLoader
{
    /// <summary>Locates, installs when needed (with a progress bar), and loads the runtime.</summary>
    public static Task<LlamaRuntime> LoadAsync(CliConsole console, LlamaRuntimeOptions? options, CancellationToken cancellationToken) =>
        LlamaRuntime.Current is { } loaded
            ? Task.FromResult(loaded)
            : TransferProgress.RunAsync(
                console.Error,
                $"Installing the llama.cpp runtime {LlamaRuntimeCatalog.LlamaCppRelease}",
                progress => LlamaRuntime.LoadAsync(options, progress: progress, cancellationToken: cancellationToken));
}
