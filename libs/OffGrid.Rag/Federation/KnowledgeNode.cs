using OffGrid.Rag.Collections;

namespace OffGrid.Rag.Federation;

/// <summary>
/// A remote OffGrid server whose collection a local collection includes in its searches: queried over its
/// <c>POST /v1/knowledge/search</c> API with its own API key, so that the remote node enforces its own permissions.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record KnowledgeNode
{
    /// <summary>Gets the node's name within the collection, shown in citations: the same rules as a collection name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the node's root URL (<c>http://host:port/</c>); the search API is <c>v1/knowledge/search</c> under it.</summary>
    public required Uri Url { get; init; }

    /// <summary>Gets the collection searched on the node.</summary>
    public required string Collection { get; init; }

    /// <summary>Gets the API key sent as <c>Authorization: Bearer</c>, or <see langword="null"/> for a node without keys.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Gets the weight of the node's ranking in reciprocal-rank fusion (the local index weighs 1): 0.01–100.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>The default name of a node at <paramref name="url"/>: its host and port, as a valid node name (<c>10.0.0.5-11611</c>).</summary>
    /// <param name="url">The node's root URL.</param>
    /// <returns>The name.</returns>
    public static string NameFor(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string name = new([.. $"{url.Host}-{url.Port}".ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-')]);
        return name.TrimStart('.', '-', '_');
    }

    /// <summary>Lists what is wrong with the node, each with the field at fault (snake_case, as the HTTP API names it).</summary>
    /// <returns>Empty when the node is usable.</returns>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (!CollectionDefinition.IsValidName(Name))
        {
            errors.Add(("name", $"The node name '{Name}' is invalid: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        if (Url is null || !Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(Url.Query))
        {
            errors.Add(("url", $"The node URL '{Url}' must be an absolute http or https URL without a query."));
        }

        if (!CollectionDefinition.IsValidName(Collection))
        {
            errors.Add(("collection", $"The remote collection name '{Collection}' is invalid."));
        }

        if (double.IsNaN(Weight) || Weight < 0.01 || Weight > 100)
        {
            errors.Add(("weight", "The node weight must be between 0.01 and 100."));
        }

        return errors;
    }
}
