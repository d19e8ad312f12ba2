using Microsoft.Extensions.VectorData;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Rag.VectorData;

namespace OffGrid.Rag.Tests.VectorData;

/// <summary>The knowledge base used only through Microsoft.Extensions.VectorData's abstractions.</summary>
public sealed class KnowledgeVectorStoreTests : IDisposable
{
    private readonly TestKnowledgeBase _test = new();

    public void Dispose() => _test.Dispose();

    [Theory]
    [InlineData(VectorSearchMode.Exact)]
    [InlineData(VectorSearchMode.Quantized)]
    public async Task RecordsAreUpsertedReadSearchedAndDeletedThroughTheAbstraction(VectorSearchMode mode)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        RagOptions options = _test.Options();
        options.VectorSearch = mode;
        using VectorStore store = _test.Open(options).AsVectorStore();
        VectorStoreCollection<string, KnowledgeRecord> animals = store.GetCollection<string, KnowledgeRecord>("animals");
        Assert.False(await animals.CollectionExistsAsync(ct));
        await animals.EnsureCollectionExistsAsync(ct);
        Assert.True(await store.CollectionExistsAsync("animals", ct));

        await animals.UpsertAsync(
        [
            new KnowledgeRecord { Key = "owl", Text = "Owls hunt at night.", Vector = new float[] { 1, 0, 0, 0 }, Metadata = { ["class"] = "bird" } },
            new KnowledgeRecord { Key = "trout", Text = "Trout swim upstream.", Vector = new float[] { 0, 1, 0, 0 } },
            new KnowledgeRecord { Key = "bat", Text = "Bats fly at night.", Vector = new float[] { 0.8f, 0, 0.6f, 0 } },
        ], ct);

        KnowledgeRecord? owl = await animals.GetAsync("owl", new RecordRetrievalOptions { IncludeVectors = true }, ct);
        Assert.NotNull(owl);
        Assert.Equal("Owls hunt at night.", owl.Text);
        Assert.Equal("bird", owl.Metadata["class"]);
        Assert.Equal([1f, 0, 0, 0], owl.Vector.ToArray());
        Assert.Null(await animals.GetAsync("whale", cancellationToken: ct));

        List<VectorSearchResult<KnowledgeRecord>> near = await animals.SearchAsync(new float[] { 1, 0, 0.1f, 0 }, top: 2, cancellationToken: ct).ToListAsync(ct);
        Assert.Equal(["owl", "bat"], near.Select(r => r.Record.Key));
        Assert.True(near[0].Score > near[1].Score);
        Assert.InRange(near[0].Score!.Value, 0.99, 1.0);
        Assert.Equal(["bat"], (await animals.SearchAsync(new float[] { 1, 0, 0.1f, 0 }, top: 1, new VectorSearchOptions<KnowledgeRecord> { Skip = 1 }, ct).ToListAsync(ct)).Select(r => r.Record.Key));

        await animals.UpsertAsync(new KnowledgeRecord { Key = "owl", Text = "Owls turn their heads.", Vector = new float[] { 0, 0, 0, 1 } }, ct);
        Assert.Equal("Owls turn their heads.", (await animals.GetAsync("owl", cancellationToken: ct))!.Text);
        Assert.Equal("owl", (await animals.SearchAsync(new float[] { 0, 0, 0, 1 }, top: 1, cancellationToken: ct).FirstAsync(ct)).Record.Key);

        await animals.DeleteAsync("trout", ct);
        Assert.Equal(["bat", "owl"], (await animals.GetAsync(["owl", "trout", "bat"], cancellationToken: ct).ToListAsync(ct)).Select(r => r.Key).Order());
        Assert.Contains("animals", await store.ListCollectionNamesAsync(ct).ToListAsync(ct));
        Assert.Throws<NotSupportedException>(() => store.GetCollection<int, KnowledgeRecord>("animals"));

        await store.EnsureCollectionDeletedAsync("animals", ct);
        Assert.False(await animals.CollectionExistsAsync(ct));
    }
}
