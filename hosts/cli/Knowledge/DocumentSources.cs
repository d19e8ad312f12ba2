using OffGrid.Rag.Ingestion;

namespace OffGrid.Cli.Knowledge;

/// <summary>Turns the paths and URLs of <c>offgrid kb add</c> into documents: folders are walked for supported files.</summary>
internal static class DocumentSources
{
    /// <summary>The documents, and how many files in the folders were skipped as unsupported.</summary>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public static (List<DocumentSource> Sources, int Skipped) Expand(IEnumerable<string> inputs)
    {
        var sources = new List<DocumentSource>();
        int skipped = 0;
        foreach (string input in inputs)
        {
            if (Uri.TryCreate(input, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https")
            {
                sources.Add(DocumentSource.FromUrl(url));
            }
            else if (Directory.Exists(input))
            {
                foreach (string file in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    if (ContentFormats.FromExtension(file) is null)
                    {
                        skipped++;
                    }
                    else
                    {
                        sources.Add(DocumentSource.FromFile(file));
                    }
                }
            }
            else if (File.Exists(input))
            {
                // A file named on purpose is tried whatever its extension: its content may still be text.
                sources.Add(DocumentSource.FromFile(input));
            }
            else
            {
                throw new FileNotFoundException($"{input} is neither a file, a folder nor an http(s) URL.", input);
            }
        }

        return (sources, skipped);
    }
}
