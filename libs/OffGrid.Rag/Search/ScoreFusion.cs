using OffGrid.Rag.Storage;

namespace OffGrid.Rag.Search;

/// <summary>Combines the keyword and vector result lists into one score per chunk.</summary>
internal static class ScoreFusion
{
    public static List<(long ChunkId, SearchScores Scores)> Fuse(IReadOnlyList<ScoredChunk> keyword, IReadOnlyList<ScoredChunk> vector, SearchOptions options)
    {
        var entries = new Dictionary<long, (double? Keyword, int? KeywordRank, double? Vector, int? VectorRank)>();
        for (int i = 0; i < keyword.Count; i++)
        {
            entries[keyword[i].ChunkId] = (keyword[i].Score, i + 1, null, null);
        }

        for (int i = 0; i < vector.Count; i++)
        {
            entries[vector[i].ChunkId] = entries.TryGetValue(vector[i].ChunkId, out var e) ? e with { Vector = vector[i].Score, VectorRank = i + 1 } : (null, null, vector[i].Score, i + 1);
        }

        (double Min, double Max) keywordRange = Range(keyword);
        (double Min, double Max) vectorRange = Range(vector);
        double alpha = options.Alpha;
        var fused = new List<(long, SearchScores)>(entries.Count);
        foreach ((long id, var e) in entries)
        {
            double score = options.Fusion == FusionMethod.ReciprocalRank
                ? (e.VectorRank is int vr ? alpha / (options.ReciprocalRankK + vr) : 0) + (e.KeywordRank is int kr ? (1 - alpha) / (options.ReciprocalRankK + kr) : 0)
                : (alpha * Normalize(e.Vector, vectorRange)) + ((1 - alpha) * Normalize(e.Keyword, keywordRange));
            fused.Add((id, new SearchScores(e.Keyword, e.KeywordRank, e.Vector, e.VectorRank, score)));
        }

        return fused;
    }

    private static (double Min, double Max) Range(IReadOnlyList<ScoredChunk> results) =>
        results.Count == 0 ? (0, 0) : (results.Min(r => r.Score), results.Max(r => r.Score));

    /// <summary>Min-max normalisation; a list whose scores are all equal gives each of them 1, a missing score gives 0.</summary>
    private static double Normalize(double? score, (double Min, double Max) range) => score switch
    {
        null => 0,
        double s when range.Max > range.Min => (s - range.Min) / (range.Max - range.Min),
        _ => 1,
    };
}
