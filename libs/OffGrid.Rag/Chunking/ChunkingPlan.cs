namespace OffGrid.Rag.Chunking;

/// <summary>The chunk size and overlap chosen for one document.</summary>
internal sealed record ChunkingPlan(ChunkingProfile Profile, int MaxTokens, int OverlapTokens);
