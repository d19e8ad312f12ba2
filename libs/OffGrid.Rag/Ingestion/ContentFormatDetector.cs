using System.Text;

namespace OffGrid.Rag.Ingestion;

/// <summary>Works out a document's format from, in order, the caller, the HTTP content type, the file extension and the first bytes.</summary>
internal static class ContentFormatDetector
{
    public static ContentFormat Detect(ContentFormat? declared, string? contentType, string name, ReadOnlySpan<byte> content) =>
        declared ?? ContentFormats.FromContentType(contentType) ?? ContentFormats.FromExtension(name) ?? FromContent(content);

    private static ContentFormat FromContent(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8))
        {
            return ContentFormat.Pdf;
        }

        if (content.StartsWith("PK\u0003\u0004"u8))
        {
            return ContentFormat.Docx;
        }

        string head = Encoding.UTF8.GetString(content[..Math.Min(content.Length, 512)]).TrimStart().ToLowerInvariant();
        return head.StartsWith("<!doctype html", StringComparison.Ordinal) || head.StartsWith("<html", StringComparison.Ordinal)
            ? ContentFormat.Html
            : ContentFormat.PlainText;
    }
}
