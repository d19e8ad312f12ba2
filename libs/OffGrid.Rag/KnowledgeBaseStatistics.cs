namespace OffGrid.Rag;

/// <summary>What a knowledge base file holds.</summary>
/// <param name="Documents">The number of documents.</param>
/// <param name="Chunks">The number of chunks.</param>
/// <param name="ContentBytes">The summed size of the documents' content as read (files, downloads, uploads).</param>
/// <param name="Dimensions">The vector size fixed by the first document; 0 while empty.</param>
/// <param name="IndexMemoryBytes">Memory held by the in-process vector index; 0 for sqlite-vec or before the first vector search.</param>
public sealed record KnowledgeBaseStatistics(long Documents, long Chunks, long ContentBytes, int Dimensions, long IndexMemoryBytes);
