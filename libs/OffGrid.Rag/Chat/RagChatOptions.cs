using OffGrid.Rag.Search;

namespace OffGrid.Rag.Chat;

/// <summary>Settings of <see cref="RagChatClient"/>.</summary>
/// <remarks>Plain data; do not mutate an instance while a chat that uses it runs.</remarks>
public sealed class RagChatOptions
{
    /// <summary>The instructions placed above the numbered sources unless <see cref="Instructions"/> is set.</summary>
    public const string DefaultInstructions =
        "Answer using the numbered sources below when they are relevant and cite them inline as [1], [2]. " +
        "If the sources do not contain the answer, say so instead of guessing.";

    /// <summary>Gets or sets how sources are retrieved (count, alpha, collection, filters).</summary>
    public SearchOptions Search { get; set; } = new() { Top = 4 };

    /// <summary>Gets or sets the instructions placed above the sources.</summary>
    public string Instructions { get; set; } = DefaultInstructions;

    /// <summary>Gets or sets the largest number of characters of source text injected; later sources are cut first.</summary>
    public int MaxContextCharacters { get; set; } = 12_000;

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Search?.Validate() ?? [$"{nameof(Search)} must be set."]);
        if (Instructions is null)
        {
            errors.Add($"{nameof(Instructions)} must be set.");
        }

        if (MaxContextCharacters <= 0)
        {
            errors.Add($"{nameof(MaxContextCharacters)} must be positive.");
        }

        return errors;
    }
}
