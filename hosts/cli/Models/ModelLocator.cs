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

    /// <summary>Returns the full path of the model's primary .gguf file, downloading the model when it is not on this machine and can be pulled.</summary>
    /// <exception cref="ModelNotFoundException">The model is not on this machine and cannot be pulled (a missing file, an unknown name).</exception>
    public async Task<string> LocateAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            return await FindAsync(model, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelNotFoundException ex) when (ex.CanPull)
        {
            return (await PullAsync(model, cancellationToken).ConfigureAwait(false)).PrimaryFilePath;
        }
    }

    /// <summary>Returns the full path of the model's primary .gguf file when the model is on this machine; never downloads.</summary>
    /// <exception cref="ModelNotFoundException">The model is not on this machine; the message says how to get it.</exception>
    public async Task<string> FindAsync(string model, CancellationToken cancellationToken) =>
        (await _hub.Resolver.ResolveAsync(model, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>
    /// Returns the primary file of a speech model (a Whisper <c>.bin</c>): an existing file path, a stored model of any
    /// kind, or else the model pulled now. The resolver above serves llama.cpp models only.
    /// </summary>
    /// <exception cref="ModelNotFoundException">The name is not stored and cannot be pulled.</exception>
    public async Task<string> LocateSpeechModelAsync(string model, CancellationToken cancellationToken) =>
        File.Exists(model) ? Path.GetFullPath(model)
        : (await _hub.Store.FindAsync(model, cancellationToken).ConfigureAwait(false))?.PrimaryFilePath
          ?? (await PullAsync(model, cancellationToken).ConfigureAwait(false)).PrimaryFilePath;

    /// <summary>Downloads <paramref name="model"/> into the store (or finds it there), showing progress.</summary>
    public Task<ModelManifest> PullAsync(string model, CancellationToken cancellationToken) =>
        TransferProgress.RunAsync(_console.Error, $"Pulling {model}", progress => _hub.Store.PullAsync(model, progress, cancellationToken));
}
