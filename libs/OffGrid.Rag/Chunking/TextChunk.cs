namespace OffGrid.Rag.Chunking;

/// <summary>A chunk as a range of the parsed document text, with the heading path and page it belongs to.</summary>
internal sealed record TextChunk(int Start, int End, string Text, string HeadingPath, int? Page, int TokenCount);
