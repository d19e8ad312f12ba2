using System.Text.Json.Serialization;

namespace OffGrid.Hub.Store;

/// <summary>What the store knows about one model: where it came from, its files and checksums, and facts from its GGUF header.</summary>
/// <remarks>Immutable and thread-safe. Saved as <c>manifest.json</c> in the model's folder.</remarks>
public sealed record ModelManifest
{
    /// <summary>Gets the name the model is stored under, for example <c>owner/repo:Q4_K_M</c> or <c>local/my-model</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the source repository (<c>owner/repo</c>), or <see langword="null"/> for an imported file.</summary>
    public string? Repository { get; init; }

    /// <summary>Gets the repository revision the files were taken from.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the files, first part first.</summary>
    public required IReadOnlyList<ModelFileEntry> Files { get; init; }

    /// <summary>Gets the quantization label, for example <c>Q4_K_M</c>.</summary>
    public string? Quantization { get; init; }

    /// <summary>Gets the architecture from the GGUF header, for example <c>llama</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary>Gets the number of weights.</summary>
    public long ParameterCount { get; init; }

    /// <summary>Gets the training context length.</summary>
    public long? ContextLength { get; init; }

    /// <summary>Gets a value indicating whether the GGUF carries a chat template.</summary>
    public bool HasChatTemplate { get; init; }

    /// <summary>Gets a value indicating whether the files stay where they were imported from instead of being copied into the store.</summary>
    public bool IsReference { get; init; }

    /// <summary>Gets when the model entered the store.</summary>
    public DateTimeOffset DownloadedAt { get; init; }

    /// <summary>Gets the total size of the files.</summary>
    [JsonIgnore]
    public long SizeBytes => Files.Sum(f => f.Size);

    /// <summary>Gets the folder that holds the manifest (set when read from the store).</summary>
    [JsonIgnore]
    public string? Directory { get; init; }

    /// <summary>Gets the absolute path of the first (or only) file: the one to hand to the inference engine.</summary>
    [JsonIgnore]
    public string PrimaryFilePath => GetFullPath(Files[0]);

    /// <summary>Gets the absolute path of a file of this model.</summary>
    /// <param name="file">One of <see cref="Files"/>.</param>
    /// <returns>The path.</returns>
    public string GetFullPath(ModelFileEntry file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return System.IO.Path.IsPathRooted(file.Path) ? file.Path : System.IO.Path.Combine(Directory ?? string.Empty, file.Path);
    }
}
