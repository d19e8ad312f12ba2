namespace OffGrid.Rag.Storage;

/// <summary>A chunk read back for a search hit, with what its citation needs from the document.</summary>
internal sealed record StoredChunk(
    long Id,
    long DocumentId,
    int Ordinal,
    string Text,
    string HeadingPath,
    int? Page,
    int StartOffset,
    int EndOffset,
    string Collection,
    string Source,
    string Title);
