using Microsoft.Extensions.Options;
using OffGrid.Hub.References;
using OffGrid.Server.Http;

namespace OffGrid.Server.Models;

/// <summary>
/// Turns the model names of API requests into GGUF files: configured names first, then the files of the model
/// folders, then (when allowed) a path on disk. Hub aliases that are not on this machine get a 404 that says so.
/// </summary>
/// <remarks>Thread-safe; the model folders are listed again on each call so new files show up without a restart.</remarks>
internal sealed class ModelCatalog
{
    // Ollama clients name models "name:latest"; OffGrid has no tags, so the default tag means the plain name.
    private const string DefaultTag = ":latest";

    private readonly ServerOptions _options;
    private readonly ModelAliasCatalog _aliases = new();

    public ModelCatalog(IOptions<ServerOptions> options)
    {
        _options = options.Value;
    }

    /// <summary>Every model the server can serve by name, sorted by name.</summary>
    public IReadOnlyList<ServedModel> List()
    {
        var models = new Dictionary<string, ServedModel>(StringComparer.OrdinalIgnoreCase);
        foreach (string directory in _options.ModelDirectories.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.gguf"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                models.TryAdd(name, new ServedModel(name, Path.GetFullPath(file)));
            }
        }

        // Configured names win over files of the same name.
        foreach ((string name, string path) in _options.Models)
        {
            models[name] = new ServedModel(name, Path.GetFullPath(path));
        }

        return [.. models.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Finds the file behind <paramref name="name"/>.</summary>
    /// <exception cref="ApiException">400 when no name is given, 404 when nothing matches.</exception>
    public ServedModel Resolve(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ApiException.BadRequest("The 'model' field is required.", "model");
        }

        string requested = name.Trim();
        string plain = requested.EndsWith(DefaultTag, StringComparison.OrdinalIgnoreCase) ? requested[..^DefaultTag.Length] : requested;
        if (List().FirstOrDefault(m => string.Equals(m.Name, plain, StringComparison.OrdinalIgnoreCase)) is { } served)
        {
            return served;
        }

        if (_options.AllowModelPaths && requested.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && File.Exists(requested))
        {
            string path = Path.GetFullPath(requested);
            return new ServedModel(path, path);
        }

        if (ModelReference.TryParse(plain, out ModelReference? reference) && reference.Kind == ModelReferenceKind.Alias
            && _aliases.Aliases.Any(a => a.Name == reference.AliasName))
        {
            throw ApiException.ModelNotFound($"The model '{requested}' ({_aliases.Resolve(reference)}) is not on this server. Download it first (offgrid pull {plain}).");
        }

        throw ApiException.ModelNotFound($"The model '{requested}' does not exist on this server.");
    }
}
