namespace OffGrid.Rag.Ingestion;

/// <summary>Turns the bytes of one document format into text and structure.</summary>
internal interface IDocumentReader
{
    ContentFormat Format { get; }

    /// <summary>Reads a document; throws <see cref="DocumentReadException"/> when it cannot.</summary>
    Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken);
}
