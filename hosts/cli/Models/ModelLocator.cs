using OffGrid.Cli.Output;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;

namespace OffGrid.Cli.Models;

/// <summary>
/// Finds the GGUF file a user means: a path to a .gguf file, a model in the local store, or else a model pulled
/// into the store now (alias, <c>owner/repo[:quant]</c>, repository file) with a progress bar.
/// </summary>
internal sealed class ModelLocator
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;

    /// <summary>Creates a locator that shows downloads on <paramref name="console"/>.</summary>
    public ModelLocator(CliConsole console, HubServices hub)
    {
        _console = console;
        _hub = hub;
    }

    /// <summary>Returns the full path of the model's primary .gguf file, downloading the model when it is not stored.</summary>
    /// <exception cref="FileNotFoundException">A path was given and no file is there.</exception>
    /// <exception cref="KeyNotFoundException">The name is not a known model.</exception>
    public async Task<string> LocateAsync(string model, CancellationToken cancellationToken) =>
        await FindOnMachineAsync(model, cancellationToken).ConfigureAwait(false)
        ?? (await PullAsync(model, cancellationToken).ConfigureAwait(false)).PrimaryFilePath;

    /// <summary>Returns the full path of the model's primary .gguf file when the model is on this machine; never downloads.</summary>
    /// <exception cref="FileNotFoundException">A path was given and no file is there.</exception>
    /// <exception cref="KeyNotFoundException">The model is not stored.</exception>
    public async Task<string> FindAsync(string model, CancellationToken cancellationToken) =>
        await FindOnMachineAsync(model, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"'{model}' is not on this machine; download it with 'offgrid pull {model}'.");

    private async Task<string?> FindOnMachineAsync(string model, CancellationToken cancellationToken)
    {
        ModelReference reference = ModelReference.Parse(model);
        if (reference.Kind == ModelReferenceKind.LocalFile || (model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && !model.Contains('/', StringComparison.Ordinal)))
        {
            string path = reference.LocalPath ?? Path.GetFullPath(model);
            return File.Exists(path) ? path : throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        return (await _hub.Store.FindAsync(model, cancellationToken).ConfigureAwait(false))?.PrimaryFilePath;
    }

    /// <summary>Downloads <paramref name="model"/> into the store (or finds it there), showing progress.</summary>
    public Task<ModelManifest> PullAsync(string model, CancellationToken cancellationToken) =>
        TransferProgress.RunAsync(_console.Error, $"Pulling {model}", progress => _hub.Store.PullAsync(model, progress, cancellationToken));
}
