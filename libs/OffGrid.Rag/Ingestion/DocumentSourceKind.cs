namespace OffGrid.Rag.Ingestion;

/// <summary>Where the content of a <see cref="DocumentSource"/> comes from.</summary>
public enum DocumentSourceKind
{
    /// <summary>A file on disk.</summary>
    File,

    /// <summary>An HTTP or HTTPS address.</summary>
    Url,

    /// <summary>Text or bytes held in memory.</summary>
    Content,

    /// <summary>Chunks prepared by the caller.</summary>
    Chunks,
}
