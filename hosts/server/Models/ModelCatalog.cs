using Microsoft.Extensions.Options;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Server.Http;

namespace OffGrid.Server.Models;

/// <summary>
/// Turns the model names of API requests into GGUF files: configured names first, then the files of the model
/// folders, then the Hub's model store (store name, alias or <c>owner/repo[:quant]</c> it was pulled as), then
/// (when allowed) a path on disk.
/// </summary>
/// <remarks>Thread-safe; folders and store are listed again on each call so new models show up without a restart.</remarks>
internal sealed class ModelCatalog
{
    // Ollama clients name models "name:latest"; OffGrid has no tags, so the default tag means the plain name.
    private const string DefaultTag = ":latest";

    private readonly ServerOptions _options;
    private readonly ModelStore _store;
    private readonly ModelAliasCatalog _aliases;

    public ModelCatalog(IOptions<ServerOptions> options, ModelStore store, ModelAliasCatalog aliases)
    {
        _options = options.Value;
        _store = store;
        _aliases = aliases;
    }

    /// <summary>The Hub's model store behind the catalog.</summary>
    public ModelStore Store => _store;

    /// <summary>Every model the server can serve by name, sorted by name.</summary>
    public async Task<IReadOnlyList<ServedModel>> ListAsync(CancellationToken cancellationToken)
    {
        var models = new Dictionary<string, ServedModel>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelManifest manifest in await _store.ListAsync(cancellationToken))
        {
            models[manifest.Name] = new ServedModel(manifest.Name, manifest.PrimaryFilePath);
        }

        foreach (string directory in _options.ModelDirectories.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.gguf"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                models[name] = new ServedModel(name, Path.GetFullPath(file));
            }
        }

        // Configured names win over everything else of the same name.
        foreach ((string name, string path) in _options.Models)
        {
            models[name] = new ServedModel(name, Path.GetFullPath(path));
        }

        return [.. models.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Finds the file behind <paramref name="name"/>.</summary>
    /// <exception cref="ApiException">400 when no name is given, 404 when nothing matches.</exception>
    public async Task<ServedModel> ResolveAsync(string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ApiException.BadRequest("The 'model' field is required.", "model");
        }

        string requested = name.Trim();
        string plain = requested.EndsWith(DefaultTag, StringComparison.OrdinalIgnoreCase) ? requested[..^DefaultTag.Length] : requested;
        if ((await ListAsync(cancellationToken)).FirstOrDefault(m => string.Equals(m.Name, plain, StringComparison.OrdinalIgnoreCase)) is { } served)
        {
            return served;
        }

        bool isPath = plain.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && (Path.IsPathRooted(plain) || plain.StartsWith('.'));
        if (isPath && _options.AllowModelPaths && File.Exists(plain))
        {
            string path = Path.GetFullPath(plain);
            return new ServedModel(path, path);
        }

        if (!isPath && ModelReference.TryParse(plain, out _) && await _store.FindAsync(plain, cancellationToken) is { } manifest)
        {
            return new ServedModel(plain, manifest.PrimaryFilePath);
        }

        if (!isPath && ModelReference.TryParse(plain, out ModelReference? reference) && reference.Kind == ModelReferenceKind.Alias
            && _aliases.Aliases.Any(a => string.Equals(a.Name, reference.AliasName, StringComparison.OrdinalIgnoreCase)))
        {
            throw ApiException.ModelNotFound($"The model '{requested}' ({_aliases.Resolve(reference)}) is not on this server; pull it first (POST /api/pull or offgrid pull {plain}).");
        }

        throw ApiException.ModelNotFound(isPath && !_options.AllowModelPaths
            ? $"The model '{requested}' is a file path, and this server does not serve models by path (Server:AllowModelPaths)."
            : $"The model '{requested}' does not exist on this server.");
    }
}
