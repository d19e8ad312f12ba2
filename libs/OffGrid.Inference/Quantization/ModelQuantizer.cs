using OffGrid.Hub.References;
using OffGrid.Hub.Store;

namespace OffGrid.Inference.Quantization;

/// <summary>
/// Quantizes a model the <see cref="ModelResolver"/> knows (a store name, a configured name, a model folder entry) into a
/// new model store entry, readable by <c>offgrid list</c>/<c>show</c> and servable by name.
/// </summary>
/// <remarks>Thread-safe. See <see cref="LlamaQuantizer"/> for progress and cancellation.</remarks>
public sealed class ModelQuantizer
{
    private readonly ModelResolver _resolver;
    private readonly LlamaQuantizer _quantizer;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="resolver">Finds the source model and owns the store the result goes into.</param>
    /// <param name="quantizer">Writes the quantized file.</param>
    public ModelQuantizer(ModelResolver resolver, LlamaQuantizer quantizer)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(quantizer);
        _resolver = resolver;
        _quantizer = quantizer;
    }

    /// <summary>The store name a quantization is saved under when none is given: the source's name without its tag, then <c>-TYPE</c>.</summary>
    /// <param name="sourceName">The source's name, for example <c>local/tiny-F16</c> or <c>owner/repo:Q8_0</c>.</param>
    /// <param name="target">The target type.</param>
    /// <returns>For example <c>local/tiny-Q4_K_M</c>.</returns>
    public static string DefaultOutputName(string sourceName, QuantizationTarget target)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentNullException.ThrowIfNull(target);
        string name = sourceName.Split(':')[0];
        if (!name.Contains('/', StringComparison.Ordinal))
        {
            name = ModelNames.Local(name);
        }

        foreach (QuantizationTarget known in QuantizationTarget.All)
        {
            if (name.EndsWith("-" + known.Name, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^(known.Name.Length + 1)];
                break;
            }
        }

        return $"{name}-{target.Name}";
    }

    /// <summary>Checks a request without quantizing.</summary>
    /// <param name="model">The source model's name.</param>
    /// <param name="type">The target type's name.</param>
    /// <param name="outputName">The new store name; <see langword="null"/> for <see cref="DefaultOutputName"/>.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>The source, the target type and the output name.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="QuantizationException">The request is refused (an output name that is not a valid store name, <see cref="ModelNames"/>, is <see cref="QuantizationProblem.InvalidOutputName"/>).</exception>
    public async Task<(LocalModel Source, QuantizationTarget Target, string OutputName)> ValidateAsync(string model, string type, string? outputName = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        LocalModel source = await _resolver.ResolveAsync(model, cancellationToken).ConfigureAwait(false);
        if (source.IsRemote)
        {
            throw new QuantizationException(QuantizationProblem.NotGguf, $"'{source.Name}' is served by a remote backend; only local GGUF models can be quantized.");
        }

        (QuantizationTarget target, _) = await LlamaQuantizer.ValidateAsync(source.Path, type, cancellationToken).ConfigureAwait(false);
        string output = string.IsNullOrWhiteSpace(outputName) ? DefaultOutputName(source.Manifest?.Name ?? source.Name, target) : outputName.Trim();
        if (ModelNames.Problem(output) is { } problem)
        {
            throw new QuantizationException(QuantizationProblem.InvalidOutputName, $"The output name is refused: {problem}");
        }

        if (await _resolver.Store.FindAsync(output, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw OutputExists(output);
        }

        return (source, target, output);
    }

    /// <summary>Quantizes <paramref name="model"/> to <paramref name="type"/> and adds the result to the store.</summary>
    /// <param name="model">The source model's name.</param>
    /// <param name="type">The target type's name, for example <c>Q4_K_M</c>.</param>
    /// <param name="outputName">The new store name; <see langword="null"/> for <see cref="DefaultOutputName"/>.</param>
    /// <param name="progress">Receives a report per tensor written.</param>
    /// <param name="cancellationToken">Cancels the quantization (see <see cref="LlamaQuantizer"/>); nothing is stored.</param>
    /// <returns>The new store entry.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="QuantizationException">The request is refused or llama.cpp failed.</exception>
    public async Task<ModelManifest> QuantizeAsync(string model, string type, string? outputName = null, IProgress<QuantizationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        (LocalModel source, QuantizationTarget target, string output) = await ValidateAsync(model, type, outputName, cancellationToken).ConfigureAwait(false);
        string work = Path.Combine(_resolver.Store.RootDirectory, ".quantizing");
        Directory.CreateDirectory(work);
        RemoveAbandoned(work);

        // A folder per run, so that the stored file gets a clean name (<source>-<TYPE>.gguf).
        string run = Directory.CreateDirectory(Path.Combine(work, Guid.NewGuid().ToString("N"))).FullName;
        string file = Path.Combine(run, $"{Path.GetFileNameWithoutExtension(source.Path)}-{target.Name}.gguf");
        try
        {
            await _quantizer.QuantizeFileAsync(source.Path, file, target.Name, progress, cancellationToken).ConfigureAwait(false);
            return await _resolver.Store.ImportNewAsync(file, output, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelExistsException)
        {
            // Another quantization (maybe in another process) stored the same output name while this one ran.
            throw OutputExists(output);
        }
        finally
        {
            File.Delete(file);
            if (!Directory.EnumerateFileSystemEntries(run).Any())
            {
                Directory.Delete(run);
            }
        }
    }

    private static QuantizationException OutputExists(string output) =>
        new(QuantizationProblem.OutputExists, $"The store already holds a model named '{output}'; choose another output name or remove it with 'offgrid rm {output}'.");

    // A process that quit while llama.cpp was writing (Ctrl+C in the CLI) leaves its partial file behind; llama.cpp writes
    // every tensor as it goes, so a file untouched for an hour belongs to no running quantization.
    private static void RemoveAbandoned(string work)
    {
        foreach (DirectoryInfo run in new DirectoryInfo(work).EnumerateDirectories())
        {
            if (run.EnumerateFiles().All(f => f.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)) && run.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1))
            {
                try
                {
                    run.Delete(recursive: true);
                }
                catch (IOException)
                {
                    // Still open elsewhere: the next quantization tries again.
                }
            }
        }
    }
}
