using Microsoft.Extensions.Options;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.Store;

namespace OffGrid.Hub.References;

/// <summary>
/// The one place that turns a model name into a model, for the server and the CLI alike. It looks, in order, at configured
/// names, the models of the registered <see cref="IModelSource"/>s (remote engines), the files of the model folders, the
/// model store (store name, the last part of a store name, an alias or <c>owner/repo[:quant]</c> a model was pulled as)
/// and, when allowed, a file path. It never downloads.
/// </summary>
/// <remarks>
/// Ollama clients name models <c>name:latest</c>; OffGrid has no tags, so <c>:latest</c> means the plain name. Folders
/// and store are listed again on each call so that new models show up without a restart. Thread-safe.
/// </remarks>
public sealed class ModelResolver
{
    private const string DefaultTag = ":latest";

    /// <summary>How many of this machine's models an unknown-model error names.</summary>
    private const int MaxListedModels = 10;

    private readonly ModelStore _store;
    private readonly ModelAliasCatalog _aliases;
    private readonly ModelResolverOptions _options;
    private readonly IModelSource[] _sources;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The local model store.</param>
    /// <param name="aliases">Tells a known alias (downloadable) from an unknown name.</param>
    /// <param name="options">Configured names, model folders, whether paths are allowed.</param>
    /// <param name="sources">Models served elsewhere (remote engines), listed beside the local ones.</param>
    public ModelResolver(ModelStore store, ModelAliasCatalog aliases, IOptions<ModelResolverOptions>? options = null, IEnumerable<IModelSource>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(aliases);
        _store = store;
        _aliases = aliases;
        _options = options?.Value ?? new ModelResolverOptions();
        _sources = [.. sources ?? []];
    }

    /// <summary>Gets the model store behind the resolver.</summary>
    public ModelStore Store => _store;

    /// <summary>
    /// Lists every model that can be named, sorted by name. A configured name hides a remote model, a folder file or a stored
    /// model of the same name; a remote model hides a folder file or stored model.
    /// </summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The models.</returns>
    public async Task<IReadOnlyList<LocalModel>> ListAsync(CancellationToken cancellationToken = default)
    {
        var models = new Dictionary<string, LocalModel>(StringComparer.OrdinalIgnoreCase);
        // Speech models (Whisper GGML, Piper ONNX) share the store but are not models llama.cpp can serve.
        foreach (ModelManifest manifest in (await _store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(ModelFileKinds.IsGguf))
        {
            models[manifest.Name] = new LocalModel(manifest.Name, manifest.PrimaryFilePath, LocalModelSource.Store, manifest);
        }

        foreach (string directory in _options.ModelDirectories.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.gguf"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                models[name] = new LocalModel(name, Path.GetFullPath(file), LocalModelSource.Directory);
            }
        }

        foreach (IModelSource source in _sources)
        {
            foreach (LocalModel model in await source.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                models[model.Name] = model;
            }
        }

        foreach ((string name, string path) in _options.Models)
        {
            models[name] = new LocalModel(name, Path.GetFullPath(path), LocalModelSource.Configured);
        }

        return [.. models.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Finds the model behind <paramref name="name"/> on this machine.</summary>
    /// <param name="name">A configured name, folder file name, store name, alias, <c>owner/repo[:quant]</c> or (when allowed) a path.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The model, or <see langword="null"/> when nothing on this machine matches.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidModelReferenceException">The name is a path to a file that is not a GGUF model.</exception>
    public async Task<LocalModel?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string plain = WithoutDefaultTag(name.Trim());
        if ((await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(m => string.Equals(m.Name, plain, StringComparison.OrdinalIgnoreCase)) is { } listed)
        {
            return listed;
        }

        if (IsPath(plain))
        {
            string path = ModelReference.TryParse(plain, out ModelReference? local) && local.LocalPath is { } full ? full : Path.GetFullPath(plain);
            if (!_options.AllowFilePaths || !File.Exists(path))
            {
                return null;
            }

            return GgufFile.HasGgufSignature(path)
                ? new LocalModel(Path.GetFileNameWithoutExtension(path), path, LocalModelSource.File)
                : throw new InvalidModelReferenceException($"'{path}' is not a GGUF model file.");
        }

        return ModelReference.TryParse(plain, out _) && await _store.FindAsync(plain, cancellationToken).ConfigureAwait(false) is { } manifest && ModelFileKinds.IsGguf(manifest)
            ? new LocalModel(manifest.Name, manifest.PrimaryFilePath, LocalModelSource.Store, manifest)
            : null;
    }

    /// <summary>Finds the model behind <paramref name="name"/> on this machine, or explains why there is none.</summary>
    /// <param name="name">A configured name, folder file name, store name, alias, <c>owner/repo[:quant]</c> or (when allowed) a path.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ModelNotFoundException">Nothing on this machine matches; the message says whether it can be pulled.</exception>
    public async Task<LocalModel> ResolveAsync(string name, CancellationToken cancellationToken = default) =>
        await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw await NotFoundAsync(name, cancellationToken).ConfigureAwait(false);

    private async Task<ModelNotFoundException> NotFoundAsync(string requested, CancellationToken cancellationToken)
    {
        string plain = WithoutDefaultTag(requested.Trim());
        if (IsPath(plain))
        {
            return new ModelNotFoundException(requested, !_options.AllowFilePaths ? $"'{requested}' is a file path, and models are not served by path here (only configured names, model folders and the model store)."
                : Directory.Exists(plain) ? $"'{Path.GetFullPath(plain)}' is a directory, not a GGUF file."
                : $"The model file '{Path.GetFullPath(plain)}' does not exist.", canPull: false);
        }

        if (!ModelReference.TryParse(plain, out ModelReference? reference))
        {
            return new ModelNotFoundException(requested, $"The model '{requested}' is not on this machine, and it is not a name the Hub could download (use name[:quant], owner/repo[:quant] or owner/repo/file.gguf).", canPull: false);
        }

        if (reference.Kind == ModelReferenceKind.Alias && !_aliases.Aliases.Any(a => string.Equals(a.Name, reference.AliasName, StringComparison.OrdinalIgnoreCase)))
        {
            // The resolver serves llama.cpp models only, so speech aliases (whisper.cpp .bin, Piper .onnx) are not suggested.
            string known = string.Join(", ", _aliases.Aliases.Where(a => !IsSpeechFile(a.Target)).Select(a => a.Name).Order(StringComparer.Ordinal));
            IReadOnlyList<LocalModel> here = await ListAsync(cancellationToken).ConfigureAwait(false);
            string served = here.Count == 0 ? "none yet"
                : string.Join(", ", here.Take(MaxListedModels).Select(m => m.Name)) + (here.Count > MaxListedModels ? $" and {here.Count - MaxListedModels} more" : string.Empty);
            string file = _options.AllowFilePaths ? " a local .gguf file," : string.Empty;
            return new ModelNotFoundException(requested, $"Unknown model '{requested}': it is not on this machine and not a known alias. On this machine ('offgrid list', GET /v1/models): {served}. Or name{file} owner/repo[:quant], or an alias to download with 'offgrid pull': {known}.", canPull: false);
        }

        return new ModelNotFoundException(requested, $"The model '{requested}' is not on this machine yet; download it first (offgrid pull {plain}, or POST /api/pull).", canPull: true);
    }

    private static bool IsSpeechFile(string target) =>
        target.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || target.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    private static string WithoutDefaultTag(string name) =>
        name.EndsWith(DefaultTag, StringComparison.OrdinalIgnoreCase) ? name[..^DefaultTag.Length] : name;

    private static bool IsPath(string name) =>
        ModelReference.TryParse(name, out ModelReference? reference) && reference.Kind == ModelReferenceKind.LocalFile;
}
