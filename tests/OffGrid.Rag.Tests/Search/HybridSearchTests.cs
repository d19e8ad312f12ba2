using System.Numerics.Tensors;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Search;

/// <summary>
/// Exact ranking on a small corpus with the deterministic concept embedder. K1/K2 repeat the query words among many others
/// (strong BM25, weak vectors); V1/V2 use only synonyms (strong vectors, no keyword match); T has some query words and some
/// synonyms (good at both). Keyword-only and vector-only top-2 both miss T; hybrid ranks it first.
/// </summary>
public sealed class HybridSearchTests : IAsyncLifetime
{
    private const string Query = "solar battery storage";

    private static readonly Dictionary<string, string> s_synonyms = new(StringComparer.Ordinal)
    {
        ["sun"] = "solar", ["photovoltaic"] = "solar", ["accumulator"] = "battery", ["cell"] = "battery", ["storing"] = "storage",
    };

    private readonly TestKnowledgeBase _test = new(new ConceptEmbeddingGenerator(256, s_synonyms));
    private KnowledgeBase _kb = null!;

    public async ValueTask InitializeAsync()
    {
        _kb = _test.Open();
        static string Filler(int seed, int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => $"filler{seed}x{i}"));
        var corpus = new Dictionary<string, string>
        {
            ["K1"] = "solar solar solar battery battery battery storage storage storage " + Filler(1, 80),
            ["K2"] = "solar solar solar battery battery battery storage storage storage " + Filler(2, 81),
            ["V1"] = "sun photovoltaic accumulator cell storing",
            ["V2"] = "photovoltaic sun cell accumulator storing energy",
            ["T"] = "solar battery photovoltaic accumulator storing kit " + Filler(5, 1),
            ["L1"] = "storage " + Filler(3, 10),
            ["L2"] = "battery " + Filler(4, 40),
            ["U1"] = "garden tools and hoses",
            ["U2"] = "kitchen knives sharpen",
            ["U3"] = "mountain trail map",
            ["U4"] = "fishing rod reel",
            ["U5"] = "first aid bandage",
        };
        await _kb.IngestAsync(
            corpus.Select(d => DocumentSource.FromText(d.Key, d.Value) with
            {
                Collection = d.Key.StartsWith('U') ? "misc" : "energy",
                Metadata = new Dictionary<string, string> { ["group"] = d.Key[..1] },
            }),
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _test.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string[]> Sources(SearchOptions options) =>
        (await _kb.SearchAsync(Query, options, TestContext.Current.CancellationToken)).Select(h => h.Citation.Source).ToArray();

    [Fact]
    public async Task HybridFindsTheDocumentThatKeywordOnlyAndVectorOnlyEachMiss()
    {
        string[] keywordOnly = await Sources(new SearchOptions { Top = 2, Alpha = 0 });
        string[] vectorOnly = await Sources(new SearchOptions { Top = 2, Alpha = 1 });
        string[] hybrid = await Sources(new SearchOptions { Top = 2, Alpha = 0.5 });

        Assert.Equal(["K1", "K2"], keywordOnly);
        Assert.Equal(["V1", "V2"], vectorOnly);
        Assert.Equal("T", hybrid[0]);
    }

    [Fact]
    public async Task EveryHitCarriesAScoreBreakdownThatExplainsItsFusedScore()
    {
        IReadOnlyList<SearchHit> hits = await _kb.SearchAsync(Query, new SearchOptions { Top = 20 }, TestContext.Current.CancellationToken);

        SearchHit t = hits.Single(h => h.Citation.Source == "T");
        SearchHit v1 = hits.Single(h => h.Citation.Source == "V1");
        Assert.Equal(3, t.Scores.KeywordRank);
        Assert.Equal(3, t.Scores.VectorRank);
        Assert.Null(v1.Scores.Keyword);
        Assert.Equal(1, v1.Scores.VectorRank);
        Assert.Equal(0.5, v1.Scores.Fused, 6);
        double cosine = TensorPrimitives.CosineSimilarity(_test.Generator.Embed(Query), _test.Generator.Embed(v1.Text));
        Assert.Equal(cosine, v1.Scores.Vector!.Value, 5);
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Scores.Fused >= p.Second.Scores.Fused), "hits are ordered by fused score");
    }

    [Fact]
    public async Task ReciprocalRankFusionCombinesRanks()
    {
        IReadOnlyList<SearchHit> hits = await _kb.SearchAsync(Query, new SearchOptions { Top = 3, Fusion = FusionMethod.ReciprocalRank }, TestContext.Current.CancellationToken);

        Assert.Contains(hits, h => h.Citation.Source == "T");
        SearchHit t = hits.Single(h => h.Citation.Source == "T");
        Assert.Equal((0.5 / 63) + (0.5 / 63), t.Scores.Fused, 12);
    }

    [Fact]
    public async Task CollectionAndMetadataFiltersRestrictBothRetrievers()
    {
        Assert.Equal(["V1", "V2"], (await Sources(new SearchOptions { Top = 5, Filters = new Dictionary<string, string> { ["group"] = "V" } })).Order());
        Assert.All(await Sources(new SearchOptions { Top = 20, Collection = "misc" }), s => Assert.StartsWith("U", s, StringComparison.Ordinal));
        Assert.Empty(await Sources(new SearchOptions { Top = 5, Collection = "nowhere" }));
        Assert.Empty(await Sources(new SearchOptions { Top = 5, Filters = new Dictionary<string, string> { ["group"] = "none" } }));
    }

    [Fact]
    public async Task CitationsPointAtTheChunk()
    {
        SearchHit hit = (await _kb.SearchAsync("kit", new SearchOptions { Top = 1, Alpha = 0 }, TestContext.Current.CancellationToken))[0];

        Assert.Equal("T", hit.Citation.Source);
        Assert.Equal("T", hit.Citation.Title);
        Assert.Equal("energy", hit.Citation.Collection);
        Assert.Equal(0, hit.Citation.ChunkIndex);
        Assert.Equal(0, hit.Citation.StartOffset);
        Assert.Equal(hit.Text.Length, hit.Citation.EndOffset);
        Assert.Equal(hit.Text, hit.Citation.Snippet);
        Assert.Null(hit.Citation.Page);
    }

    [Fact]
    public async Task InvalidOptionsAreRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _kb.SearchAsync(Query, new SearchOptions { Alpha = 1.5 }, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => _kb.SearchAsync(Query, new SearchOptions { Top = 0 }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void SnippetsCentreOnTheFirstQueryTerm()
    {
        string text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i}")) + " needle " + string.Join(' ', Enumerable.Range(0, 200).Select(i => $"v{i}"));

        string snippet = SnippetBuilder.Build(text, ["needle"]);

        Assert.Contains("needle", snippet, StringComparison.Ordinal);
        Assert.StartsWith("…", snippet, StringComparison.Ordinal);
        Assert.EndsWith("…", snippet, StringComparison.Ordinal);
        Assert.True(snippet.Length <= SnippetBuilder.Length + 2);
    }
}
