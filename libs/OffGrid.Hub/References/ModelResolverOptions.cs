namespace OffGrid.Hub.References;

/// <summary>What <see cref="ModelResolver"/> knows besides the model store.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class ModelResolverOptions
{
    /// <summary>Gets or sets names mapped to GGUF files; they win over every other source. Relative paths are resolved against the current directory.</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets folders whose <c>*.gguf</c> files are served under their file name without extension.</summary>
    public List<string> ModelDirectories { get; set; } = [];

    /// <summary>
    /// Gets or sets whether a path to a <c>.gguf</c> file names a model. The CLI allows it; a server should only when its
    /// clients may read any model file the server can.
    /// </summary>
    public bool AllowFilePaths { get; set; }

    /// <summary>Lists every setting that is not valid.</summary>
    /// <returns>One sentence per problem; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach ((string name, string path) in Models ?? [])
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add("A configured model has an empty name.");
            }
            else if (!File.Exists(path))
            {
                errors.Add($"The model '{name}' points to '{System.IO.Path.GetFullPath(path)}', which does not exist.");
            }
        }

        foreach (string directory in ModelDirectories ?? [])
        {
            if (!Directory.Exists(directory))
            {
                errors.Add($"The model folder '{System.IO.Path.GetFullPath(directory)}' does not exist.");
            }
        }

        return errors;
    }
}
