namespace OffGrid.Rag.Ingestion;

/// <summary>The document types a knowledge base reads, by file extension and by content type.</summary>
/// <remarks>Immutable; thread-safe.</remarks>
public static class ContentFormats
{
    private static readonly Dictionary<string, ContentFormat> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = ContentFormat.PlainText,
        [".text"] = ContentFormat.PlainText,
        [".log"] = ContentFormat.PlainText,
        [".csv"] = ContentFormat.PlainText,
        [".md"] = ContentFormat.Markdown,
        [".markdown"] = ContentFormat.Markdown,
        [".mdx"] = ContentFormat.Markdown,
        [".html"] = ContentFormat.Html,
        [".htm"] = ContentFormat.Html,
        [".xhtml"] = ContentFormat.Html,
        [".pdf"] = ContentFormat.Pdf,
        [".docx"] = ContentFormat.Docx,
    };

    private static readonly Dictionary<string, ContentFormat> s_byContentType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/plain"] = ContentFormat.PlainText,
        ["text/csv"] = ContentFormat.PlainText,
        ["text/markdown"] = ContentFormat.Markdown,
        ["text/x-markdown"] = ContentFormat.Markdown,
        ["text/html"] = ContentFormat.Html,
        ["application/xhtml+xml"] = ContentFormat.Html,
        ["application/pdf"] = ContentFormat.Pdf,
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = ContentFormat.Docx,
    };

    /// <summary>Gets the supported file extensions, with their dot (<c>.pdf</c>).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [.. s_byExtension.Keys];

    /// <summary>Gets the supported content types (<c>application/pdf</c>).</summary>
    public static IReadOnlyList<string> ContentTypes { get; } = [.. s_byContentType.Keys];

    /// <summary>Gets the format a file name's extension stands for.</summary>
    /// <param name="name">A file name, path or URL.</param>
    /// <returns>The format, or <see langword="null"/> when the extension is missing or not supported.</returns>
    public static ContentFormat? FromExtension(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string path = Uri.TryCreate(name, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? uri.AbsolutePath : name;
        return s_byExtension.TryGetValue(Path.GetExtension(path), out ContentFormat format) ? format : null;
    }

    /// <summary>Gets the format a content type (parameters such as <c>; charset=</c> ignored) stands for.</summary>
    /// <param name="contentType">The content type, or <see langword="null"/>.</param>
    /// <returns>The format, or <see langword="null"/> when absent or not supported.</returns>
    public static ContentFormat? FromContentType(string? contentType) =>
        contentType is not null && s_byContentType.TryGetValue(contentType.Split(';')[0].Trim(), out ContentFormat format) ? format : null;

    /// <summary>Whether a document with this name or content type can be read.</summary>
    /// <param name="name">A file name, path or URL.</param>
    /// <param name="contentType">The content type it came with, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the extension or the content type is supported.</returns>
    public static bool IsSupported(string name, string? contentType = null) => FromExtension(name) is not null || FromContentType(contentType) is not null;
}
