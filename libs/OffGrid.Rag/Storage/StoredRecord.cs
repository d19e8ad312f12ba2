namespace OffGrid.Rag.Storage;

/// <summary>A document's chunk read back with what a vector-store record needs: source (its key), title, metadata JSON, text and unit-length vector.</summary>
internal sealed record StoredRecord(long ChunkId, string Source, string Title, string MetadataJson, string Text, float[] Vector);
