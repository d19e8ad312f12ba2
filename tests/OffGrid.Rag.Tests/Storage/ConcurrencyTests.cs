using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Storage;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TestKnowledgeBase _test = new();

    public void Dispose() => _test.Dispose();

    [Theory]
    [InlineData(VectorSearchMode.Exact)]
    [InlineData(VectorSearchMode.SqliteVec)]
    public async Task QueriesRunConcurrentlyWithIngestionAndAlwaysSeeWholeDocuments(VectorSearchMode mode)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open(mode);
        const int Documents = 40;

        // Every document has exactly three chunks mentioning "lantern", so a reader must always see a multiple of three.
        var chunking = new IngestionOptions { Chunking = new() { MaxTokens = 7, OverlapTokens = 0 } };
        Task<IReadOnlyList<IngestionResult>> ingestion = Task.Run(
            () => kb.IngestAsync(
                Enumerable.Range(0, Documents).Select(i => DocumentSource.FromText($"doc{i}", $"Lantern {i} first part.\n\nLantern {i} second part.\n\nLantern {i} third part.")),
                chunking,
                cancellationToken: ct),
            ct);

        var observed = new List<int>();
        Task[] readers = Enumerable.Range(0, 3).Select(_ => Task.Run(
            async () =>
            {
                while (!ingestion.IsCompleted)
                {
                    IReadOnlyList<SearchHit> hits = await kb.SearchAsync("lantern part", new SearchOptions { Top = 1000, CandidatePoolSize = 1000 }, ct);
                    lock (observed)
                    {
                        observed.Add(hits.Count);
                    }
                }
            },
            ct)).ToArray();

        IReadOnlyList<IngestionResult> results = await ingestion;
        await Task.WhenAll(readers);

        Assert.All(results, r => Assert.Equal((IngestionStatus.Added, 3), (r.Status, r.ChunkCount)));
        Assert.NotEmpty(observed);
        Assert.All(observed, count => Assert.Equal(0, count % 3));
        Assert.Equal(Documents * 3, (await kb.SearchAsync("lantern part", new SearchOptions { Top = 1000, CandidatePoolSize = 1000 }, ct)).Count);
    }

    [Fact]
    public async Task TheKnowledgeBaseSurvivesReopening()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using (var first = new KnowledgeBase(_test.Options(), _test.Generator))
        {
            await first.IngestAsync(DocumentSource.FromText("kept", "The spare key is under the blue stone."), cancellationToken: ct);
        }

        KnowledgeBase reopened = _test.Open();
        Assert.Equal("kept", (await reopened.SearchAsync("spare key", cancellationToken: ct))[0].Citation.Source);
        Assert.Equal(IngestionStatus.Unchanged, (await reopened.IngestAsync(DocumentSource.FromText("kept", "The spare key is under the blue stone."), cancellationToken: ct)).Status);
    }
}
