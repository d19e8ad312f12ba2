using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Storage;

/// <summary>The in-process index: writes applied as deltas, and the quantized mode finding what exact search finds.</summary>
public sealed class InMemoryIndexTests : IDisposable
{
    private const int Dimensions = 64;
    private readonly TestKnowledgeBase _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public async Task QuantizedSearchFindsTheExactNeighboursOnClusteredVectors()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random(3);
        float[][] centroids = [.. Enumerable.Range(0, 20).Select(_ => Gaussian(random, 1f))];
        var vectors = new List<float[]>();
        var documents = new List<DocumentSource>();
        for (int d = 0; d < 40; d++)
        {
            var chunks = new List<PrecomputedChunk>();
            for (int c = 0; c < 50; c++)
            {
                float[] v = Add(centroids[random.Next(centroids.Length)], Gaussian(random, 0.9f));
                vectors.Add(v);
                chunks.Add(new PrecomputedChunk($"chunk {d} {c}", v));
            }

            documents.Add(DocumentSource.FromChunks($"doc{d}", chunks));
        }

        KnowledgeBase exact = _test.Open(VectorSearchMode.Exact);
        await exact.IngestAsync(documents, cancellationToken: ct);
        RagOptions options = _test.Options();
        options.VectorSearch = VectorSearchMode.Quantized;
        KnowledgeBase quantized = _test.Open(options);
        Assert.Equal(VectorSearchBackend.Quantized, quantized.VectorSearchBackend);

        double recall = 0;
        const int Queries = 30;
        for (int q = 0; q < Queries; q++)
        {
            float[] query = Add(vectors[random.Next(vectors.Count)], Gaussian(random, 0.5f));
            string text = _test.Generator.Register(query);
            HashSet<long> truth = [.. (await exact.SearchAsync(text, new SearchOptions { Top = 10, Alpha = 1 }, ct)).Select(h => h.Citation.ChunkId)];
            IReadOnlyList<SearchHit> found = await quantized.SearchAsync(text, new SearchOptions { Top = 10, Alpha = 1 }, ct);
            recall += found.Count(h => truth.Contains(h.Citation.ChunkId)) / 10.0;
        }

        Assert.True(recall / Queries >= 0.95, $"recall@10 {recall / Queries:F3}");
    }

    [Theory]
    [InlineData(VectorSearchMode.Exact)]
    [InlineData(VectorSearchMode.Quantized)]
    public async Task WritesOfThisProcessArriveAsDeltasAndOtherWritersCauseAReload(VectorSearchMode mode)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        RagOptions options = _test.Options();
        options.VectorSearch = mode;
        KnowledgeBase kb = _test.Open(options);
        var vectorOnly = new SearchOptions { Alpha = 1, Top = 3 };
        await kb.IngestAsync(DocumentSource.FromText("a", "The lighthouse keeper polished the lamp."), cancellationToken: ct);
        Assert.Equal("a", (await kb.SearchAsync("lighthouse lamp", vectorOnly, ct))[0].Citation.Source);
        Assert.Equal(1, kb.Store.IndexReloads);

        await kb.IngestAsync(DocumentSource.FromText("b", "Penguins waddle across the ice shelf."), cancellationToken: ct);
        Assert.Equal("b", (await kb.SearchAsync("penguins ice", vectorOnly, ct))[0].Citation.Source);
        await kb.DeleteDocumentAsync("a", cancellationToken: ct);
        Assert.DoesNotContain(await kb.SearchAsync("lighthouse lamp", vectorOnly, ct), h => h.Citation.Source == "a");
        await kb.IngestAsync(DocumentSource.FromText("b", "Penguins slide across the frozen sea."), cancellationToken: ct);
        Assert.Single(await kb.SearchAsync("penguins", vectorOnly, ct), h => h.Citation.Source == "b");
        Assert.Equal(1, kb.Store.IndexReloads);

        // Another writer on the same file (here a second instance, as another process would be): the index reloads once.
        KnowledgeBase other = _test.Open(options);
        await other.IngestAsync(DocumentSource.FromText("c", "Volcanoes erupt molten lava."), cancellationToken: ct);
        Assert.Equal("c", (await kb.SearchAsync("volcanoes lava", vectorOnly, ct))[0].Citation.Source);
        Assert.Equal(2, kb.Store.IndexReloads);
    }

    private static float[] Add(float[] a, float[] b) => [.. a.Zip(b, (x, y) => x + y)];

    private static float[] Gaussian(Random random, float length) =>
        [.. Enumerable.Range(0, Dimensions).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * length / Math.Sqrt(Dimensions)))];
}
