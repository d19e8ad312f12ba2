using System.Text.RegularExpressions;

namespace OffGrid.Rag.Ingestion;

/// <summary>Collects blocks from a reader into one text, separating blocks with a blank line and recording their ranges.</summary>
internal sealed partial class ParsedDocumentBuilder
{
    private const string BlockSeparator = "\n\n";

    private readonly System.Text.StringBuilder _text = new();
    private readonly List<DocumentBlock> _blocks = [];
    private readonly Dictionary<string, object> _metadata = new(StringComparer.Ordinal);

    public ParsedDocumentBuilder(ContentFormat format)
    {
        Format = format;
    }

    public ContentFormat Format { get; }

    public string? Title { get; set; }

    public int BlockCount => _blocks.Count;

    public void SetMetadata(string key, object value) => _metadata[key] = value;

    public void AddHeading(int level, string text, int? page = null) => Add(BlockKind.Heading, text, Math.Clamp(level, 1, 6), page);

    public void Add(BlockKind kind, string text, int? page = null) => Add(kind, text, 0, page);

    /// <summary>Adds each run of lines between blank lines as a paragraph, without trailing spaces on its lines.</summary>
    public void AddParagraphs(string text, int? page = null)
    {
        foreach (string paragraph in BlankLines().Split(text.ReplaceLineEndings("\n")))
        {
            Add(BlockKind.Paragraph, string.Join('\n', paragraph.Split('\n').Select(line => line.TrimEnd())), page);
        }
    }

    public ParsedDocument Build() => new(Format, _text.ToString(), _blocks.ToArray(), Title, _metadata);

    private void Add(BlockKind kind, string text, int headingLevel, int? page)
    {
        // Code keeps its indentation; everything else is trimmed so that block ranges start and end on content.
        string content = kind == BlockKind.Code ? text.Trim('\r', '\n').TrimEnd() : text.Trim();
        if (content.Length == 0)
        {
            return;
        }

        if (_text.Length > 0)
        {
            _text.Append(BlockSeparator);
        }

        int start = _text.Length;
        _text.Append(content.ReplaceLineEndings("\n"));
        _blocks.Add(new DocumentBlock(kind, start, _text.Length, headingLevel, page));
    }

    [GeneratedRegex(@"\n[ \t\f]*\n")]
    private static partial Regex BlankLines();
}
