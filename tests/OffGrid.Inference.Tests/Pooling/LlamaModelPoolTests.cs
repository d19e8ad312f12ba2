using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Pooling;

public sealed class LlamaModelPoolTests
{
    internal static LlamaModelPoolOptions SmallPool(TimeSpan keepAlive, int max = 2) => new()
    {
        KeepAlive = keepAlive,
        MaxLoadedModels = max,
        Runtime = new() { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = OffGrid.Inference.Runtime.LlamaRuntimeVariant.Cpu },
        Engine = new() { ParallelSequences = 2, ContextSize = 256 },
    };

    [Fact]
    public async Task ConcurrentAcquiresShareOneLoad()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(1)));
        LlamaModelLease[] leases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken)));
        Assert.All(leases, l => Assert.Same(leases[0].Model, l.Model));
        Assert.Equal(4, Assert.Single(pool.GetLoadedModels()).ActiveLeases);
        foreach (LlamaModelLease lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(0, Assert.Single(pool.GetLoadedModels()).ActiveLeases);
    }

    [Fact]
    public async Task ZeroKeepAliveUnloadsWhenTheLastLeaseEnds()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.Zero));
        using (LlamaModelLease lease = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken))
        {
            ChatResponse response = await lease.ChatClient.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, TestContext.Current.CancellationToken);
            Assert.NotEmpty(response.Text);
        }

        Assert.Empty(pool.GetLoadedModels());
    }

    [Fact]
    public async Task LeastRecentlyUsedIdleModelIsEvicted()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5), max: 1));
        (await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken)).Dispose();
        using LlamaModelLease tiny = await pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: TestContext.Current.CancellationToken);
        LoadedModelInfo loaded = Assert.Single(pool.GetLoadedModels());
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), loaded.Path);
    }

    [Fact]
    public async Task ARequestedContextSizeGetsItsOwnEngineAndUnloadRemovesBoth()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5)));
        using (LlamaModelLease standard = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken))
        using (LlamaModelLease larger = await pool.AcquireAsync(TestPaths.Stories260K, contextSize: 512, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(256, standard.Engine.ContextSize);
            Assert.Equal(512, larger.Engine.ContextSize);
            Assert.NotSame(standard.Engine, larger.Engine);
        }

        Assert.Equal(2, pool.GetLoadedModels().Count);
        Assert.True(pool.Unload(TestPaths.Stories260K));
        Assert.Empty(pool.GetLoadedModels());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => pool.AcquireAsync(TestPaths.Stories260K, contextSize: 8, cancellationToken: TestContext.Current.CancellationToken));
    }
    [Fact]
    public async Task AKeepAliveBeyondTenYearsKeepsTheModelLoaded()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5)));
        (await pool.AcquireAsync(TestPaths.Stories260K, keepAlive: TimeSpan.MaxValue, cancellationToken: TestContext.Current.CancellationToken)).Dispose();

        Assert.Null(Assert.Single(pool.GetLoadedModels()).ExpiresAt);
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(1 << 30)] // times the pool's two sequences: 2^31, past int
    [InlineData(int.MaxValue)]
    public async Task AContextBeyondWhatTheModelWasTrainedForIsRefused(int contextSize)
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5)));
        InvalidRequestException error = await Assert.ThrowsAsync<InvalidRequestException>(
            () => pool.AcquireAsync(TestPaths.Stories260K, contextSize: contextSize, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlamaChatOptions.ContextSizeKey, error.ParamName);
        Assert.Contains("trained for", error.Message);
        Assert.Empty(pool.GetLoadedModels());
    }

    [Fact]
    public async Task ANewModelWaitsForABusyOneWhenThePoolIsFull()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5), max: 1));
        LlamaModelLease stories = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        Task<LlamaModelLease> tiny = pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: TestContext.Current.CancellationToken);

        // Loading tiny now would hold two models where one is allowed: it waits for the lease on stories.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(tiny.IsCompleted);
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), Assert.Single(pool.GetLoadedModels()).Path);

        stories.Dispose();
        using LlamaModelLease lease = await tiny.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), Assert.Single(pool.GetLoadedModels()).Path);
    }

    [Fact]
    public async Task WaitingForRoomCanBeCancelled()
    {
        using var pool = new LlamaModelPool(SmallPool(TimeSpan.FromMinutes(5), max: 1));
        using LlamaModelLease stories = await pool.AcquireAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.AcquireAsync(TestLlamaModels.Tiny, cancellationToken: cancel.Token));
        Assert.Single(pool.GetLoadedModels());
    }
}
