namespace OffGrid.Rag.Search;

/// <summary>Settings of one hybrid search.</summary>
/// <remarks>Plain data; do not mutate an instance while a search that uses it runs.</remarks>
public sealed class SearchOptions
{
    /// <summary>Gets or sets how many hits to return.</summary>
    public int Top { get; set; } = 5;

    /// <summary>Gets or sets the weight of the vector score, from 0 (keyword only) to 1 (vector only).</summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>Gets or sets how the two result lists are fused.</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.WeightedScores;

    /// <summary>Gets or sets the rank offset <c>k</c> of reciprocal rank fusion.</summary>
    public int ReciprocalRankK { get; set; } = 60;

    /// <summary>Gets or sets how many candidates each retriever contributes before fusion; <see langword="null"/> uses <c>max(4 × Top, 50)</c>.</summary>
    public int? CandidatePoolSize { get; set; }

    /// <summary>Gets or sets the collection to search; <see langword="null"/> searches all.</summary>
    public string? Collection { get; set; }

    /// <summary>Gets or sets metadata a document must have (all pairs, compared as text) for its chunks to be returned.</summary>
    public IDictionary<string, string>? Filters { get; set; }

    /// <summary>Gets or sets the smallest fused score a hit may have.</summary>
    public double MinScore { get; set; }

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Top <= 0)
        {
            errors.Add($"{nameof(Top)} must be positive.");
        }

        if (double.IsNaN(Alpha) || Alpha is < 0 or > 1)
        {
            errors.Add($"{nameof(Alpha)} must be between 0 and 1.");
        }

        if (!Enum.IsDefined(Fusion))
        {
            errors.Add($"{nameof(Fusion)} has an unknown value {Fusion}.");
        }

        if (ReciprocalRankK < 0)
        {
            errors.Add($"{nameof(ReciprocalRankK)} must not be negative.");
        }

        if (CandidatePoolSize is <= 0)
        {
            errors.Add($"{nameof(CandidatePoolSize)} must be positive.");
        }

        if (Filters?.Keys.Any(key => key.Contains('"', StringComparison.Ordinal) || key.Length == 0) == true)
        {
            errors.Add($"{nameof(Filters)} keys must be non-empty and contain no double quotes.");
        }

        return errors;
    }
}
