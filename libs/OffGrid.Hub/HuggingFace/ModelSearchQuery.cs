namespace OffGrid.Hub.HuggingFace;

/// <summary>A model search: what the Hub filters on the server, and the filters applied to its answer.</summary>
/// <remarks>Immutable once initialized.</remarks>
public sealed record ModelSearchQuery
{
    /// <summary>Gets the text searched in repository names.</summary>
    public string? Search { get; init; }

    /// <summary>Gets the user or organization that owns the repositories.</summary>
    public string? Author { get; init; }

    /// <summary>Gets the sort field. Default <see cref="ModelSortField.Downloads"/>.</summary>
    public ModelSortField Sort { get; init; } = ModelSortField.Downloads;

    /// <summary>Gets a value indicating whether the largest values come first. Default true.</summary>
    public bool Descending { get; init; } = true;

    /// <summary>Gets the most results to return (1 to 1000). Default 20.</summary>
    public int Limit { get; init; } = 20;

    /// <summary>Gets a value indicating whether only repositories tagged <c>gguf</c> are returned. Default true.</summary>
    public bool GgufOnly { get; init; } = true;

    /// <summary>Gets a value indicating whether gated repositories (which need an accepted licence) are left out. Default true.</summary>
    public bool ExcludeGated { get; init; } = true;

    /// <summary>Gets a quantization (for example <c>Q4_K_M</c>) that a repository must offer.</summary>
    public string? Quantization { get; init; }

    /// <summary>Gets the smallest variant size accepted; needs one file listing per result.</summary>
    public long? MinSizeBytes { get; init; }

    /// <summary>Gets the largest variant size accepted; needs one file listing per result.</summary>
    public long? MaxSizeBytes { get; init; }

    /// <summary>Gets a value indicating whether only chat/instruct models are returned.</summary>
    public bool ChatOnly { get; init; }
}
