namespace OffGrid.Rag.Collections;

/// <summary>A knowledge collection: its definition, when it was made and what it holds.</summary>
/// <param name="Definition">The definition it was created with.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Statistics">Documents, chunks, bytes and vector size at the time of the call.</param>
public sealed record CollectionInfo(CollectionDefinition Definition, DateTimeOffset CreatedAt, KnowledgeBaseStatistics Statistics);
