namespace OffGrid.Rag.Storage;

/// <summary>A document row to write; <see cref="SizeBytes"/> is the size of the content that was read.</summary>
internal sealed record DocumentRecord(string Collection, string Source, string Title, string Format, string ContentHash, string MetadataJson, long SizeBytes = 0);
