namespace OffGrid.Rag.Ingestion;

/// <summary>A document is of a type the knowledge base cannot read; <see cref="SupportedTypes"/> lists what it can.</summary>
public sealed class UnsupportedContentException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="name">The document's name (file name or URL).</param>
    /// <param name="contentType">The content type it came with, if any.</param>
    public UnsupportedContentException(string name, string? contentType)
        : base($"'{name}'{(string.IsNullOrEmpty(contentType) ? string.Empty : $" ({contentType})")} is not a supported document type; supported: {string.Join(", ", ContentFormats.Extensions)}.")
    {
        Name = name;
        ContentType = contentType;
    }

    /// <summary>Gets the document's name.</summary>
    public string Name { get; }

    /// <summary>Gets the content type it came with, if any.</summary>
    public string? ContentType { get; }

    /// <summary>Gets the file extensions and content types that are supported.</summary>
    public IReadOnlyList<string> SupportedTypes => [.. ContentFormats.Extensions, .. ContentFormats.ContentTypes];
}
