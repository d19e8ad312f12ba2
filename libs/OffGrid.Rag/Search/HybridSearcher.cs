using OffGrid.Rag.Embeddings;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag.Search;

/// <summary>Runs the keyword and vector retrievers over the store, fuses their scores and builds hits with citations.</summary>
/// <remarks>Thread-safe; searches may run concurrently with each other and with ingestion.</remarks>
internal sealed class HybridSearcher(SqliteKnowledgeStore store, ChunkEmbedder embedder)
{
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> terms = QueryTerms.Extract(query);
        int pool = options.CandidatePoolSize ?? Math.Max(options.Top * 4, 50);
        var filter = new SearchFilter(options.Collection, options.Filters is null ? null : new Dictionary<string, string>(options.Filters, StringComparer.Ordinal));

        List<ScoredChunk> keyword = options.Alpha < 1 && terms.Count > 0
            ? await store.KeywordSearchAsync(QueryTerms.ToFtsQuery(terms), filter, pool, cancellationToken).ConfigureAwait(false)
            : [];
        List<ScoredChunk> vector = options.Alpha > 0 && !string.IsNullOrWhiteSpace(query)
            ? await store.VectorSearchAsync(await embedder.EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false), filter, pool, cancellationToken).ConfigureAwait(false)
            : [];

        var top = ScoreFusion.Fuse(keyword, vector, options)
            .Where(f => f.Scores.Fused >= options.MinScore)
            .OrderByDescending(f => f.Scores.Fused)
            .ThenBy(f => f.ChunkId)
            .Take(options.Top)
            .ToList();
        IReadOnlyDictionary<long, StoredChunk> chunks = await store.LoadChunksAsync(top.Select(t => t.ChunkId).ToArray(), cancellationToken).ConfigureAwait(false);

        var hits = new List<SearchHit>(top.Count);
        foreach ((long chunkId, SearchScores scores) in top)
        {
            // A chunk deleted between retrieval and loading is simply left out.
            if (chunks.TryGetValue(chunkId, out StoredChunk? chunk))
            {
                hits.Add(new SearchHit(chunk.Text, ToCitation(chunk, terms), scores));
            }
        }

        return hits;
    }

    private static Citation ToCitation(StoredChunk chunk, IReadOnlyList<string> terms) => new()
    {
        DocumentId = chunk.DocumentId,
        ChunkId = chunk.Id,
        Collection = chunk.Collection,
        Title = chunk.Title,
        Source = chunk.Source,
        Page = chunk.Page,
        HeadingPath = chunk.HeadingPath,
        ChunkIndex = chunk.Ordinal,
        StartOffset = chunk.StartOffset,
        EndOffset = chunk.EndOffset,
        Snippet = SnippetBuilder.Build(chunk.Text, terms),
    };
}
