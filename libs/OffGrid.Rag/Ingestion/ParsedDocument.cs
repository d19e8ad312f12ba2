namespace OffGrid.Rag.Ingestion;

/// <summary>A document turned into plain text plus its structure; chunks and citation offsets refer to <see cref="Text"/>.</summary>
internal sealed class ParsedDocument
{
    public ParsedDocument(ContentFormat format, string text, IReadOnlyList<DocumentBlock> blocks, string? title, IReadOnlyDictionary<string, object> metadata)
    {
        Format = format;
        Text = text;
        Blocks = blocks;
        Title = title;
        Metadata = metadata;
    }

    public ContentFormat Format { get; }

    public string Text { get; }

    public IReadOnlyList<DocumentBlock> Blocks { get; }

    /// <summary>The title found in the document itself, if any.</summary>
    public string? Title { get; }

    /// <summary>Facts learned while reading (page count, image count, links, encoding), stored as document metadata.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }
}
