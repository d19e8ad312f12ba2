namespace OffGrid.Rag.Storage;

/// <summary>A chunk id with a raw score from one retriever (higher is better).</summary>
internal readonly record struct ScoredChunk(long ChunkId, double Score);
