using System.Text;

namespace OffGrid.Rag.Ingestion;

/// <summary>Works out a document's format from, in order, the caller, the HTTP content type, the file extension and the first bytes.</summary>
internal static class ContentFormatDetector
{
    public static ContentFormat Detect(ContentFormat? declared, string? contentType, string name, ReadOnlySpan<byte> content) =>
        declared ?? FromContentType(contentType) ?? FromExtension(name) ?? FromContent(content);

    private static ContentFormat? FromContentType(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/html" or "application/xhtml+xml" => ContentFormat.Html,
        "text/markdown" or "text/x-markdown" => ContentFormat.Markdown,
        "application/pdf" => ContentFormat.Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ContentFormat.Docx,
        "text/plain" => ContentFormat.PlainText,
        _ => null,
    };

    private static ContentFormat? FromExtension(string name)
    {
        string path = Uri.TryCreate(name, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? uri.AbsolutePath : name;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".md" or ".markdown" or ".mdx" => ContentFormat.Markdown,
            ".html" or ".htm" or ".xhtml" => ContentFormat.Html,
            ".pdf" => ContentFormat.Pdf,
            ".docx" => ContentFormat.Docx,
            ".txt" or ".text" or ".log" or ".csv" => ContentFormat.PlainText,
            _ => null,
        };
    }

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
