namespace OffGrid.Rag.Chunking;

/// <summary>Measures text in tokens so that chunks fit the embedding and chat models' windows.</summary>
/// <remarks>Instances are immutable; thread safety is that of the wrapped function (the built-in estimate is thread-safe).</remarks>
public sealed class TokenCounter
{
    /// <summary>The average number of characters per token assumed by <see cref="Estimate"/> (typical for English text and BPE vocabularies).</summary>
    public const int EstimatedCharactersPerToken = 4;

    private readonly Func<string, int> _count;

    private TokenCounter(string name, Func<string, int> count)
    {
        Name = name;
        _count = count;
    }

    /// <summary>Gets a counter that estimates one token per <see cref="EstimatedCharactersPerToken"/> characters, rounded up; no tokenizer needed.</summary>
    public static TokenCounter Estimate { get; } = new("estimate", static text => (text.Length + EstimatedCharactersPerToken - 1) / EstimatedCharactersPerToken);

    /// <summary>Gets a short name describing the counter.</summary>
    public string Name { get; }

    /// <summary>Wraps a real tokenizer (for example the llama model's) as a token counter.</summary>
    /// <param name="countTokens">Returns the number of tokens in a text; must be thread-safe when ingestion runs concurrently.</param>
    /// <param name="name">A short name for logs.</param>
    /// <returns>The counter.</returns>
    public static TokenCounter FromFunction(Func<string, int> countTokens, string name = "custom")
    {
        ArgumentNullException.ThrowIfNull(countTokens);
        ArgumentNullException.ThrowIfNull(name);
        return new TokenCounter(name, countTokens);
    }

    /// <summary>Counts the tokens in a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count, never negative.</returns>
    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Math.Max(0, _count(text));
    }
}
