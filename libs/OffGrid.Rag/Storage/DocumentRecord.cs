namespace OffGrid.Rag.Storage;

/// <summary>A document row to write.</summary>
internal sealed record DocumentRecord(string Collection, string Source, string Title, string Format, string ContentHash, string MetadataJson);
