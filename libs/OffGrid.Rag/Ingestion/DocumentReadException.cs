namespace OffGrid.Rag.Ingestion;

/// <summary>A document cannot be read (unsupported, corrupt, too large, binary, missing tool); reported as that document's error.</summary>
internal sealed class DocumentReadException : Exception
{
    public DocumentReadException(string message)
        : base(message)
    {
    }

    public DocumentReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
