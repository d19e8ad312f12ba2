using System.Text;

namespace OffGrid.Rag.Ingestion;

/// <summary>Works out a document's format from, in order, the caller, the HTTP content type, the file extension and the first bytes.</summary>
internal static class DocumentFormatDetector
{
    public static DocumentFormat Detect(DocumentFormat? declared, string? contentType, string name, ReadOnlySpan<byte> content) =>
        declared ?? FromContentType(contentType) ?? FromExtension(name) ?? FromContent(content);

    private static DocumentFormat? FromContentType(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/html" or "application/xhtml+xml" => DocumentFormat.Html,
        "text/markdown" or "text/x-markdown" => DocumentFormat.Markdown,
        "application/pdf" => DocumentFormat.Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => DocumentFormat.Docx,
        "text/plain" => DocumentFormat.PlainText,
        _ => null,
    };

    private static DocumentFormat? FromExtension(string name)
    {
        string path = Uri.TryCreate(name, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? uri.AbsolutePath : name;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".md" or ".markdown" or ".mdx" => DocumentFormat.Markdown,
            ".html" or ".htm" or ".xhtml" => DocumentFormat.Html,
            ".pdf" => DocumentFormat.Pdf,
            ".docx" => DocumentFormat.Docx,
            ".txt" or ".text" or ".log" or ".csv" => DocumentFormat.PlainText,
            _ => null,
        };
    }

    private static DocumentFormat FromContent(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8))
        {
            return DocumentFormat.Pdf;
        }

        if (content.StartsWith("PK\u0003\u0004"u8))
        {
            return DocumentFormat.Docx;
        }

        string head = Encoding.UTF8.GetString(content[..Math.Min(content.Length, 512)]).TrimStart().ToLowerInvariant();
        return head.StartsWith("<!doctype html", StringComparison.Ordinal) || head.StartsWith("<html", StringComparison.Ordinal)
            ? DocumentFormat.Html
            : DocumentFormat.PlainText;
    }
}
