using Microsoft.Extensions.Options;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine.Speculation;

namespace OffGrid.AspNetCore.Operations;

/// <summary>
/// Turns a draft model given by name (<c>Server:Pool:Engine:Speculation:DraftModelPath</c> <c>stories</c>, a pulled name, an
/// alias, a configured name) into its file through the one <see cref="ModelResolver"/> when the server starts, before any
/// model loads; a path to an existing file is used as it is. A name that resolves to nothing, a path that does not exist,
/// a file that is not GGUF and a model of a remote backend stop the start (<see cref="OptionsValidationException"/>) with the resolver's reason.
/// </summary>
/// <remarks>Registered before the preloader, so that a preloaded model already drafts with the resolved file.</remarks>
internal sealed class DraftModelResolution : IHostedService
{
    /// <summary>The setting's full key, for messages.</summary>
    public const string Setting = OffGridServerOptions.SectionName + ":Pool:Engine:Speculation:" + nameof(SpeculativeDecodingOptions.DraftModelPath);

    private readonly ModelResolver _resolver;
    private readonly OffGridServerOptions _options;

    public DraftModelResolution(ModelResolver resolver, IOptions<OffGridServerOptions> options)
    {
        _resolver = resolver;
        _options = options.Value;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The pool reads the same options object (InferenceOptions.Pool is the server's Pool), so the resolved file is what it loads.
        SpeculativeDecodingOptions speculation = _options.Pool.Engine.Speculation;
        if (speculation.DraftModelPath is not { } draft)
        {
            return;
        }

        string? problem = File.Exists(draft) ? null : await ResolveAsync(speculation, draft, cancellationToken);
        if (problem is null && speculation.DraftModelPath is { } file)
        {
            try
            {
                await GgufFile.ReadAsync(file, cancellationToken);
            }
            catch (GgufFormatException ex)
            {
                problem = $"{Setting} is not a GGUF model: {ex.Message}";
            }
        }

        if (problem is not null)
        {
            throw new OptionsValidationException(OffGridServerOptions.SectionName, typeof(OffGridServerOptions), [problem]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Sets the draft model's file from its name; returns why it cannot, or null.
    private async Task<string?> ResolveAsync(SpeculativeDecodingOptions speculation, string draft, CancellationToken cancellationToken)
    {
        string? problem = null;
        if (ModelReference.TryParse(draft, out ModelReference? reference) && reference.Kind == ModelReferenceKind.LocalFile)
        {
            problem = $"{Setting} '{draft}' does not exist.";
        }
        else
        {
            try
            {
                LocalModel model = await _resolver.ResolveAsync(draft, cancellationToken);
                if (model.IsRemote)
                {
                    problem = $"{Setting} is '{draft}', a model of a remote backend: a draft model runs on this machine, so name a local model or a .gguf file.";
                }
                else
                {
                    speculation.DraftModelPath = model.Path;
                }
            }
            catch (Exception ex) when (ex is ModelNotFoundException or InvalidModelReferenceException)
            {
                problem = $"{Setting} is '{draft}': {ex.Message}";
            }
        }

        return problem;
    }
}
