using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Storage;

/// <summary>The real sqlite-vec extension (fetched with npm at test time) against the exact SIMD fallback on the same file.</summary>
public sealed class VectorBackendTests : IDisposable
{
    private const int Dimensions = 256;
    private readonly TestKnowledgeBase _test = new(new ConceptEmbeddingGenerator(Dimensions));

    public void Dispose() => _test.Dispose();

    private static IEnumerable<DocumentSource> RandomCorpus(int documents, int chunksPerDocument)
    {
        var random = new Random(1234);
        for (int d = 0; d < documents; d++)
        {
            PrecomputedChunk[] chunks = Enumerable.Range(0, chunksPerDocument)
                .Select(c => new PrecomputedChunk($"doc {d} chunk {c}", Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()))
                .ToArray();
            yield return DocumentSource.FromChunks($"doc{d}", chunks) with
            {
                Collection = d % 2 == 0 ? "even" : "odd",
                Metadata = new Dictionary<string, string> { ["bucket"] = (d % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            };
        }
    }

    private static async Task<List<(long Id, double Score)>> VectorRanking(KnowledgeBase kb, string query, SearchOptions options) =>
        (await kb.SearchAsync(query, options, TestContext.Current.CancellationToken)).Select(h => (h.Citation.ChunkId, h.Scores.Vector!.Value)).ToList();

    private static SearchOptions[] Variants() =>
    [
        new() { Top = 25, Alpha = 1 },
        new() { Top = 10, Alpha = 1, Collection = "odd" },
        new() { Top = 10, Alpha = 1, Filters = new Dictionary<string, string> { ["bucket"] = "2" } },
    ];

    private static async Task AssertSameRanking(KnowledgeBase expected, KnowledgeBase actual)
    {
        foreach (string query in new[] { "alpha river", "mountain storage battery", "quiet evening lake", "radio", "x y z" })
        {
            foreach (SearchOptions options in Variants())
            {
                List<(long Id, double Score)> exact = await VectorRanking(expected, query, options);
                List<(long Id, double Score)> other = await VectorRanking(actual, query, options);
                Assert.Equal(options.Top, exact.Count);
                Assert.Equal(exact.Select(e => e.Id), other.Select(o => o.Id));
                Assert.All(exact.Zip(other), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 5));
            }
        }
    }

    [Fact]
    public async Task SqliteVecAndTheExactFallbackProduceTheSameRanking()
    {
        KnowledgeBase vec = _test.Open(VectorSearchMode.SqliteVec);
        Assert.Equal(VectorSearchBackend.SqliteVec, vec.VectorSearchBackend);
        await vec.IngestAsync(RandomCorpus(12, 40), cancellationToken: TestContext.Current.CancellationToken);

        KnowledgeBase exact = _test.Open(VectorSearchMode.Exact);
        Assert.Equal(VectorSearchBackend.Exact, exact.VectorSearchBackend);

        await AssertSameRanking(exact, vec);
    }

    [Fact]
    public async Task AStoreWrittenWithoutSqliteVecIsIndexedWhenOpenedWithIt()
    {
        KnowledgeBase exact = _test.Open(VectorSearchMode.Exact);
        await exact.IngestAsync(RandomCorpus(6, 30), cancellationToken: TestContext.Current.CancellationToken);
        KnowledgeBase vec = _test.Open(VectorSearchMode.SqliteVec);
        await AssertSameRanking(exact, vec);

        // Written again by the process without the extension while the other one is open: it resynchronises on its next query.
        Assert.True(await exact.DeleteDocumentAsync("doc1", "odd", TestContext.Current.CancellationToken));
        await exact.IngestAsync(RandomCorpus(8, 30).Skip(6), cancellationToken: TestContext.Current.CancellationToken);
        await AssertSameRanking(exact, vec);
    }

    [Fact]
    public void AutoFallsBackToExactSearchAndRequiredSqliteVecFailsClearly()
    {
        RagOptions auto = _test.Options(VectorSearchMode.Exact);
        auto.VectorSearch = VectorSearchMode.Auto;
        auto.SqliteVecPath = Path.Combine(_test.Directory, "missing", "vec0.so");
        Assert.Equal(VectorSearchBackend.Exact, _test.Open(auto).VectorSearchBackend);

        RagOptions required = _test.Options(VectorSearchMode.Exact);
        required.VectorSearch = VectorSearchMode.SqliteVec;
        required.SqliteVecPath = auto.SqliteVecPath;
        var error = Assert.Throws<InvalidOperationException>(() => _test.Open(required));
        Assert.Contains("sqlite-vec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExtensionIsFoundThroughTheEnvironmentVariable()
    {
        string? previous = Environment.GetEnvironmentVariable(SqliteVecLocator.EnvironmentVariable);
        Environment.SetEnvironmentVariable(SqliteVecLocator.EnvironmentVariable, SqliteVecPackage.ExtensionPath);
        try
        {
            Assert.Equal(SqliteVecPackage.ExtensionPath, SqliteVecLocator.Locate(null));
            Assert.Equal("/explicit/vec0.so", SqliteVecLocator.Locate("/explicit/vec0.so"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SqliteVecLocator.EnvironmentVariable, previous);
        }
    }

    [Fact]
    public async Task EmbeddingsOfAnotherSizeAreRejectedPerDocument()
    {
        KnowledgeBase kb = _test.Open();
        await kb.IngestAsync(DocumentSource.FromChunks("a", [new PrecomputedChunk("a", new float[] { 1, 0, 0 })]), cancellationToken: TestContext.Current.CancellationToken);

        IngestionResult result = await kb.IngestAsync(DocumentSource.FromChunks("b", [new PrecomputedChunk("b", new float[] { 1, 0 })]), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(IngestionStatus.Failed, result.Status);
        Assert.Contains("dimensions", result.Error, StringComparison.Ordinal);
    }
}
