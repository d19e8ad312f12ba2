namespace OffGrid.Rag.Ingestion;

/// <summary>Reads plain text; blank lines separate paragraphs.</summary>
internal sealed class PlainTextReader : IDocumentReader
{
    public ContentFormat Format => ContentFormat.PlainText;

    public Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken)
    {
        (string text, string encoding) = TextDecoder.Decode(content);
        var builder = new ParsedDocumentBuilder(Format);
        builder.SetMetadata("encoding", encoding);
        builder.AddParagraphs(text);
        return Task.FromResult(builder.Build());
    }
}
