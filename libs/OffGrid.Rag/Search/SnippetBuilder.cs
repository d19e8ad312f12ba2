namespace OffGrid.Rag.Search;

/// <summary>Cuts a short excerpt of a chunk around the first query term, on word boundaries.</summary>
internal static class SnippetBuilder
{
    public const int Length = 240;

    public static string Build(string text, IReadOnlyList<string> terms)
    {
        string flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= Length)
        {
            return flat;
        }

        int hit = terms.Select(t => flat.IndexOf(t, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(0).Min();
        int start = Math.Clamp(hit - (Length / 3), 0, flat.Length - Length);
        int end = start + Length;
        if (start > 0)
        {
            int space = flat.IndexOf(' ', start);
            start = space >= 0 && space < hit ? space + 1 : start;
        }

        if (end < flat.Length)
        {
            int space = flat.LastIndexOf(' ', end);
            end = space > start ? space : end;
        }

        return (start > 0 ? "…" : string.Empty) + flat[start..end] + (end < flat.Length ? "…" : string.Empty);
    }
}
