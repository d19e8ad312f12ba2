namespace OffGrid.Rag.Search;

/// <summary>How a hit scored in each retriever and after fusion.</summary>
/// <param name="Keyword">The BM25 score (higher is better), or <see langword="null"/> when the keyword search did not return the chunk.</param>
/// <param name="KeywordRank">The 1-based rank in the keyword results, or <see langword="null"/>.</param>
/// <param name="Vector">The cosine similarity to the query, or <see langword="null"/> when the vector search did not return the chunk.</param>
/// <param name="VectorRank">The 1-based rank in the vector results, or <see langword="null"/>.</param>
/// <param name="Fused">The combined score the hits are ordered by.</param>
public sealed record SearchScores(double? Keyword, int? KeywordRank, double? Vector, int? VectorRank, double Fused);
