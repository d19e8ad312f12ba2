using System.Text.RegularExpressions;

namespace OffGrid.Rag.Search;

/// <summary>Splits a natural-language query into words for FTS5 and for snippets.</summary>
internal static partial class QueryTerms
{
    public static IReadOnlyList<string> Extract(string query) =>
        Word().Matches(query).Select(m => m.Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>An FTS5 query matching any of the words; each is quoted so that FTS5 operators in user text are taken literally.</summary>
    public static string ToFtsQuery(IReadOnlyList<string> terms) => string.Join(" OR ", terms.Select(t => "\"" + t + "\""));

    [GeneratedRegex(@"[\p{L}\p{N}_]+")]
    private static partial Regex Word();
}
