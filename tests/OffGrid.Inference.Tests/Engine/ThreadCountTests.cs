using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Engine;

public sealed class ThreadCountTests
{
    [Fact]
    public async Task MoreThreadsThanCoresAreLoweredToTheCoresWithAWarning()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        int requested = Environment.ProcessorCount * 32;
        var logger = new FakeLogger<LlamaEngine>();
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 64, Threads = requested }, logger);

        // With 32 threads per core every step waits for threads that take turns: seconds per token instead of milliseconds.
        using var client = new LlamaChatClient(engine);
        ChatResponse response = await client.GetResponseAsync(
            "Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, TestContext.Current.CancellationToken);
        Assert.InRange(response.Usage?.OutputTokenCount ?? 0, 1, 4);

        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains($"{requested} threads requested", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"may use only {Environment.ProcessorCount} cores", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreadsWithinTheCoresAreUsedWithoutAWarning()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        var logger = new FakeLogger<LlamaEngine>();
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 64, Threads = 1 }, logger);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }
}
