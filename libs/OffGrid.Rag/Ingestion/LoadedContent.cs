namespace OffGrid.Rag.Ingestion;

/// <summary>The raw bytes of a document with what its origin said about them.</summary>
/// <param name="Bytes">The content.</param>
/// <param name="ContentType">The HTTP content type, for URLs.</param>
/// <param name="Address">The final address after redirects, for URLs; the base for relative links.</param>
internal sealed record LoadedContent(byte[] Bytes, string? ContentType, Uri? Address);
