namespace OffGrid.Rag.Chunking;

/// <summary>Overrides for how documents are cut into chunks; anything left unset is tuned automatically from the document.</summary>
/// <remarks>Plain data; do not mutate an instance while an ingestion that uses it runs.</remarks>
public sealed class ChunkingOptions
{
    /// <summary>Gets or sets the largest chunk, in tokens; <see langword="null"/> picks it from the document's type and structure.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets how many tokens consecutive chunks of one section share; <see langword="null"/> picks it automatically.</summary>
    public int? OverlapTokens { get; set; }

    /// <summary>Gets or sets the token counter for this ingestion; <see langword="null"/> uses <see cref="RagOptions.TokenCounter"/>.</summary>
    public TokenCounter? TokenCounter { get; set; }

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxTokens is <= 0)
        {
            errors.Add($"{nameof(MaxTokens)} must be positive.");
        }

        if (OverlapTokens is < 0)
        {
            errors.Add($"{nameof(OverlapTokens)} must not be negative.");
        }

        if (MaxTokens is { } max && OverlapTokens is { } overlap && overlap >= max)
        {
            errors.Add($"{nameof(OverlapTokens)} must be smaller than {nameof(MaxTokens)}.");
        }

        return errors;
    }
}
