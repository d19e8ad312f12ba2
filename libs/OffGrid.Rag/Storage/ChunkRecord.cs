namespace OffGrid.Rag.Storage;

/// <summary>A chunk row to write; <see cref="Embedding"/> is unit length.</summary>
internal sealed record ChunkRecord(string Text, string HeadingPath, int? Page, int StartOffset, int EndOffset, int TokenCount, float[] Embedding);
