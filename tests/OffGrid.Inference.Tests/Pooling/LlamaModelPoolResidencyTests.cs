using Microsoft.Extensions.AI;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Pooling;

/// <summary>Pinning, memory-aware eviction and hot-swap of a <see cref="LlamaModelPool"/>, with real models.</summary>
public sealed class LlamaModelPoolResidencyTests
{
    private static readonly string s_third = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { Seed = 7 });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APinnedModelSurvivesPressureWhileAnUnpinnedOneIsEvicted()
    {
        using var pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(5), max: 2));
        (await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct)).Dispose();
        pool.Pin(TestPaths.Stories260K);
        (await pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: Ct)).Dispose();

        // The pinned model is the least recently used, but the unpinned one goes.
        (await pool.AcquireAsync(s_third, cancellationToken: Ct)).Dispose();
        Assert.Equal(
            new[] { Path.GetFullPath(TestPaths.Stories260K), Path.GetFullPath(s_third) }.Order(),
            pool.GetLoadedModels().Select(m => m.Path).Order());
        LoadedModelInfo pinned = pool.GetLoadedModels().Single(m => m.IsPinned);
        Assert.Null(pinned.ExpiresAt);

        Assert.True(pool.Unpin(TestPaths.Stories260K));
        (await pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: Ct)).Dispose();
        Assert.DoesNotContain(pool.GetLoadedModels(), m => m.Path == Path.GetFullPath(TestPaths.Stories260K));
    }

    [Fact]
    public async Task AMemoryBudgetEvictsByEstimatedBytesNotOnlyByCount()
    {
        long stories, tiny;
        using (var measure = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(5), max: 4)))
        {
            (await measure.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct)).Dispose();
            (await measure.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: Ct)).Dispose();
            stories = measure.GetLoadedModels().Single(m => m.Path == Path.GetFullPath(TestPaths.Stories260K)).EstimatedBytes;
            tiny = measure.GetLoadedModels().Single(m => m.Path == Path.GetFullPath(TestLlamaModels.Tiny)).EstimatedBytes;
            Assert.Equal(2, measure.GetLoadedModels().Count);
        }

        Assert.True(stories > 100_000 && tiny > 100_000, $"estimates {stories} and {tiny}");
        LlamaModelPoolOptions options = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(5), max: 4);
        options.MemoryBudgetBytes = stories + tiny - 1;
        using var pool = new LlamaModelPool(options);
        (await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct)).Dispose();
        (await pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: Ct)).Dispose();
        LoadedModelInfo only = Assert.Single(pool.GetLoadedModels());
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), only.Path);
        Assert.Equal(tiny, only.EstimatedBytes);
    }

    [Fact]
    public async Task TheEstimateCountsTheKvCacheTypesAndADraftModel()
    {
        long plain = await EstimateAsync(_ => { });
        // stories260K's 8-wide heads fit no quantized cache type (blocks of 32), so the other way: f32 for the keys.
        long wide = await EstimateAsync(e => e.CacheTypeK = GgmlType.F32);
        // The model drafting for itself: a second copy of its weights, with a context as large (of the default f16 cache).
        long drafted = await EstimateAsync(e => e.Speculation.DraftModelPath = TestPaths.Stories260K);

        GgufFile header = await GgufFile.ReadAsync(TestPaths.Stories260K, Ct);
        Assert.Equal(ModelMemoryEstimate.Create(header, 2 * 256).TotalBytes, plain);
        Assert.Equal(ModelMemoryEstimate.Create(header, 2 * 256, GgmlType.F32, GgmlType.F16).TotalBytes, wide);
        Assert.True(wide > plain);
        Assert.Equal(2 * plain, drafted);
    }

    private static async Task<long> EstimateAsync(Action<LlamaEngineOptions> configure)
    {
        LlamaModelPoolOptions options = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(5));
        configure(options.Engine);
        using var pool = new LlamaModelPool(options);
        (await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct)).Dispose();
        return Assert.Single(pool.GetLoadedModels()).EstimatedBytes;
    }

    [Fact]
    public async Task HotSwapSendsNewRequestsToTheNewModelWhileAnInFlightOneFinishesOnTheOld()
    {
        using var pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(5), max: 2));
        IChatClient client = pool.CreateChatClient(TestPaths.Stories260K, "stories");
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 200 };

        // An in-flight request: its first token is out when the swap happens.
        await using IAsyncEnumerator<ChatResponseUpdate> inFlight = client.GetStreamingResponseAsync("Once upon a time", options, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await inFlight.MoveNextAsync());
        string text = inFlight.Current.Text;
        LlamaModelLease held = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct);

        await pool.SwapAsync(TestPaths.Stories260K, TestLlamaModels.Tiny, Ct);

        using (LlamaModelLease fresh = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: Ct))
        {
            Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), fresh.Model.Path);
        }

        ChatResponse swapped = await client.GetResponseAsync("the", new ChatOptions { Temperature = 0, MaxOutputTokens = 3 }, Ct);
        Assert.Equal(3, swapped.Usage?.OutputTokenCount);
        // The old one only drains: listed after the served ones, as draining.
        Assert.Equal([(Path.GetFullPath(TestLlamaModels.Tiny), false), (Path.GetFullPath(TestPaths.Stories260K), true)], pool.GetLoadedModels().Select(m => (m.Path, m.IsDraining)));

        UsageDetails? usage = null;
        while (await inFlight.MoveNextAsync())
        {
            text += inFlight.Current.Text;
            usage ??= inFlight.Current.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
        }

        Assert.Contains("Lily", text, StringComparison.Ordinal); // stories260K's story, finished on the old model
        ChatResponse old = await held.ChatClient.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 30 }, Ct);
        Assert.Contains("Lily", old.Text, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), held.Model.Path);
        held.Dispose();

        // The last lease on the old model ended: it is gone, the replacement serves.
        Assert.True(held.Model.Handle.IsClosed);
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), Assert.Single(pool.GetLoadedModels()).Path);
    }
}
