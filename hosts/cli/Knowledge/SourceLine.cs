using OffGrid.Rag.Search;

namespace OffGrid.Cli.Knowledge;

/// <summary>How the CLI names a cited source: title, then file or URL, page and section.</summary>
internal static class SourceLine
{
    /// <summary><c>Pump manual (guide.pdf, page 2, Reset)</c>; the file is shown by name, a URL whole.</summary>
    public static string Describe(Citation citation)
    {
        string source = Uri.TryCreate(citation.Source, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? citation.Source : Path.GetFileName(citation.Source);
        var parts = new List<string> { citation.Node is { } node ? $"node {node}: {source}" : source };
        if (citation.Page is int page)
        {
            parts.Add($"page {page}");
        }

        if (citation.HeadingPath.Length > 0)
        {
            parts.Add(citation.HeadingPath);
        }

        return $"{citation.Title} ({string.Join(", ", parts)})";
    }
}
