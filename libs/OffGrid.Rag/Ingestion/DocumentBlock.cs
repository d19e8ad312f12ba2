namespace OffGrid.Rag.Ingestion;

/// <summary>A block of a parsed document, as a range of <see cref="ParsedDocument.Text"/>.</summary>
/// <param name="Kind">The structural role.</param>
/// <param name="Start">The first character.</param>
/// <param name="End">One past the last character.</param>
/// <param name="HeadingLevel">1 to 6 for headings, 0 otherwise.</param>
/// <param name="Page">The 1-based page, for paged formats.</param>
internal readonly record struct DocumentBlock(BlockKind Kind, int Start, int End, int HeadingLevel, int? Page);
