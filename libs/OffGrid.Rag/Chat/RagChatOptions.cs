using OffGrid.Rag.Chunking;
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

    /// <summary>Gets or sets the largest number of tokens of source text injected, counted with <see cref="TokenCounter"/>; later sources are cut first.</summary>
    public int MaxContextTokens { get; set; } = 2048;

    /// <summary>
    /// Gets or sets how source text is counted against <see cref="MaxContextTokens"/>: plug in the chat model's tokenizer
    /// (the server and the CLI do); <see langword="null"/> uses <see cref="TokenCounter.Estimate"/>.
    /// </summary>
    public TokenCounter? TokenCounter { get; set; }

    /// <summary>
    /// Gets or sets the collections searched when a request names none, for a client over <see cref="Collections.KnowledgeCollections"/>;
    /// when empty, such requests pass through without retrieval.
    /// </summary>
    public IList<string> DefaultCollections { get; set; } = [];

    /// <summary>
    /// Gets or sets whether answers must cite: when sources were found, the answer opens with a marker such as <c>[1]</c>,
    /// enforced with a grammar (<see cref="RagChatClient.GrammarKey"/>) on engines that take one (OffGrid's llama.cpp client,
    /// llama-server). Small local models often forget to cite; this makes every answer checkable. Not applied to requests
    /// that use tools or a JSON response format.
    /// </summary>
    public bool RequireCitations { get; set; }

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Search?.Validate() ?? [$"{nameof(Search)} must be set."]);
        if (Instructions is null)
        {
            errors.Add($"{nameof(Instructions)} must be set.");
        }

        if (MaxContextTokens <= 0)
        {
            errors.Add($"{nameof(MaxContextTokens)} must be positive.");
        }

        if (DefaultCollections is null)
        {
            errors.Add($"{nameof(DefaultCollections)} must be set (it may be empty).");
        }

        return errors;
    }
}
