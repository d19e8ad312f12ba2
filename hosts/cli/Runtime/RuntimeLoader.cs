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
                progress => LlamaRuntime.LoadAsync(options, progress: progress, cancellationToken: cancellationToken),
                (runtime, bytes) => $"Installed llama.cpp {LlamaRuntimeCatalog.LlamaCppRelease} ({runtime.Package?.Name}@{runtime.Package?.Version}, {ByteSize.Format(bytes ?? 0)}) " +
                    $"from {Origin(runtime.InstalledFrom)} into {runtime.LibraryDirectory}.");

    /// <summary>The host of a download address, or the package file it was installed from.</summary>
    private static string? Origin(string? installedFrom) =>
        Uri.TryCreate(installedFrom, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" ? uri.Authority : installedFrom;
}
