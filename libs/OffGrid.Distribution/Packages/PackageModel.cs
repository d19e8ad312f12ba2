namespace OffGrid.Distribution.Packages;

/// <summary>A model in a package: its store name and origin, and the package files that make it up (first part first).</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record PackageModel
{
    /// <summary>Gets the name the model is stored under, on the target machine as on the source.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the repository (<c>owner/repo</c>) the model was pulled from, if any.</summary>
    public string? Repository { get; init; }

    /// <summary>Gets the repository revision, if any.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the quantization label, for example <c>Q4_K_M</c>.</summary>
    public string? Quantization { get; init; }

    /// <summary>Gets the architecture from the GGUF header.</summary>
    public string? Architecture { get; init; }

    /// <summary>Gets the number of weights.</summary>
    public long ParameterCount { get; init; }

    /// <summary>Gets the package paths of the model's files, first part first.</summary>
    public required IReadOnlyList<string> Files { get; init; }
}
