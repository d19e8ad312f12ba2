using System.Text.RegularExpressions;

namespace OffGrid.Rag.Collections;

/// <summary>What a knowledge collection is made with: its name, the embedding model for its vectors and how its documents are chunked.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed partial record CollectionDefinition
{
    /// <summary>Gets the name: 1–64 characters, lower-case letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting with a letter or digit.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the embedding model's name, as the host resolves it (a served model name, a store name, an alias, a path).</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets the largest chunk, in tokens; <see langword="null"/> tunes it per document.</summary>
    public int? ChunkMaxTokens { get; init; }

    /// <summary>Gets how many tokens consecutive chunks share; <see langword="null"/> tunes it per document.</summary>
    public int? ChunkOverlapTokens { get; init; }

    /// <summary>Gets a description shown in listings.</summary>
    public string? Description { get; init; }

    /// <summary>Lists what is wrong with the definition, each with the field at fault (snake_case).</summary>
    /// <returns>Empty when the definition is usable.</returns>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (Name is null || !NamePattern().IsMatch(Name))
        {
            errors.Add(("name", $"The collection name '{Name}' is invalid: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        if (string.IsNullOrWhiteSpace(EmbeddingModel))
        {
            errors.Add(("embedding_model", "A collection needs an embedding model."));
        }

        var chunking = new Chunking.ChunkingOptions { MaxTokens = ChunkMaxTokens, OverlapTokens = ChunkOverlapTokens };
        errors.AddRange(chunking.Validate().Select(e => ("chunking", e)));
        return errors;
    }

    /// <summary>Whether <paramref name="name"/> is a valid collection name.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
