namespace OffGrid.Rag.Search;

/// <summary>How keyword (BM25) and vector (cosine) results are combined.</summary>
public enum FusionMethod
{
    /// <summary>
    /// Each retriever's scores are min-max normalised to [0, 1] over its candidates, then combined as
    /// <c>alpha × vector + (1 − alpha) × keyword</c>; a chunk missing from one list scores 0 there.
    /// </summary>
    WeightedScores,

    /// <summary>Reciprocal rank fusion: <c>alpha / (k + vector rank) + (1 − alpha) / (k + keyword rank)</c>, ranks from 1; robust to score scales.</summary>
    ReciprocalRank,
}
