using System.Text;

namespace OffGrid.Rag.Ingestion;

/// <summary>One document to ingest: where it comes from, its key in the knowledge base and optional title, format and metadata.</summary>
/// <remarks>
/// A document is identified by its collection and <see cref="Id"/> (a path, URL or caller-chosen key); its content hash decides
/// whether re-ingesting changes anything. Immutable once built; safe to share between threads.
/// </remarks>
public sealed record DocumentSource
{
    private DocumentSource(DocumentSourceKind kind, string id)
    {
        Kind = kind;
        Id = id;
    }

    /// <summary>Gets where the content comes from.</summary>
    public DocumentSourceKind Kind { get; }

    /// <summary>Gets the key of the document within its collection, also shown in citations.</summary>
    public string Id { get; }

    /// <summary>Gets the collection the document belongs to; <see langword="null"/> uses <see cref="RagOptions.DefaultCollection"/>.</summary>
    public string? Collection { get; init; }

    /// <summary>Gets the format; <see langword="null"/> detects it from the file name, content type or content.</summary>
    public ContentFormat? Format { get; init; }

    /// <summary>Gets the title shown in citations; <see langword="null"/> takes it from the document or its name.</summary>
    public string? Title { get; init; }

    /// <summary>Gets caller metadata stored with the document and usable in search filters.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    internal string? FilePath { get; private init; }

    internal Uri? Url { get; private init; }

    internal byte[]? Content { get; private init; }

    internal IReadOnlyList<PrecomputedChunk>? Chunks { get; private init; }

    /// <summary>The content size when it is known before reading: files and in-memory bytes.</summary>
    internal long? KnownLength => Kind switch
    {
        DocumentSourceKind.File => File.Exists(FilePath) ? new FileInfo(FilePath!).Length : null,
        DocumentSourceKind.Content => Content!.LongLength,
        _ => null,
    };

    /// <summary>A file on disk; its full path is the document key.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The source.</returns>
    public static DocumentSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        return new DocumentSource(DocumentSourceKind.File, fullPath) { FilePath = fullPath };
    }

    /// <summary>A web page or file behind an HTTP(S) address; the address is the document key.</summary>
    /// <param name="url">The absolute address.</param>
    /// <returns>The source.</returns>
    public static DocumentSource FromUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("Only absolute http and https addresses can be ingested.", nameof(url));
        }

        return new DocumentSource(DocumentSourceKind.Url, url.AbsoluteUri) { Url = url };
    }

    /// <summary>Text held in memory.</summary>
    /// <param name="id">The document key.</param>
    /// <param name="text">The text.</param>
    /// <param name="format">How to read the text.</param>
    /// <returns>The source.</returns>
    public static DocumentSource FromText(string id, string text, ContentFormat format = ContentFormat.PlainText)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(text);
        return new DocumentSource(DocumentSourceKind.Content, id) { Content = Encoding.UTF8.GetBytes(text), Format = format };
    }

    /// <summary>A file's bytes held in memory (for example an upload).</summary>
    /// <param name="id">The document key, ideally with a file extension so the format can be detected.</param>
    /// <param name="content">The bytes.</param>
    /// <returns>The source.</returns>
    public static DocumentSource FromBytes(string id, byte[] content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(content);
        return new DocumentSource(DocumentSourceKind.Content, id) { Content = content };
    }

    /// <summary>Chunks the caller prepared, stored without chunking; embeddings are computed for those that carry none.</summary>
    /// <param name="id">The document key.</param>
    /// <param name="chunks">The chunks, in document order.</param>
    /// <returns>The source.</returns>
    public static DocumentSource FromChunks(string id, IReadOnlyList<PrecomputedChunk> chunks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(chunks);
        return new DocumentSource(DocumentSourceKind.Chunks, id) { Chunks = chunks };
    }
}
