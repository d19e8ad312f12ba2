using System.Threading.Channels;
using OffGrid.Inference.Benchmarking;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Engine;

public sealed class LlamaBenchmarkTests
{
    [Fact]
    public async Task BenchmarkGeneratesExactLengthsAndReportsThroughput()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 256 });
        var runs = new List<LlamaBenchmarkRun>();
        LlamaBenchmarkResult result = await LlamaBenchmark.RunAsync(
            engine,
            new LlamaBenchmarkOptions { PromptTokens = 32, OutputTokens = 16, Iterations = 2, ConcurrentStreams = 2 },
            new Progress<LlamaBenchmarkRun>(runs.Add),
            TestContext.Current.CancellationToken);

        Assert.Equal(2, result.Runs.Count);
        Assert.All(result.Runs, r =>
        {
            Assert.Equal(64, r.PromptTokens); // 32 per stream, after the BOS token the runs share (cached after the warm-up)
            Assert.Equal(32, r.OutputTokens);
            Assert.True(r.PromptTokensPerSecond > 0 && r.GenerationTokensPerSecond > 0);
        });
        Assert.True(result.PeakWorkingSetBytes > result.ModelSizeBytes);
    }

    [Fact]
    public async Task TheWarmUpWarmsEverySequenceWhenOneIsBusyAtTheStart()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 256, Threads = 1 });

        // A request without the BOS token holds one sequence while the warm-up runs and outlasts it: the warm-up's streams
        // run one after the other on the other sequence, as when the caller is descheduled between two submissions.
        ChannelReader<GenerationUpdate> busy = engine.Submit(new GenerationRequest
        {
            PromptTokens = model.Tokenize("Once upon a time", addSpecial: false, parseSpecial: false),
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = 64,
            IgnoreEndOfGeneration = true,
        });
        LlamaBenchmarkResult result = await LlamaBenchmark.RunAsync(
            engine, new LlamaBenchmarkOptions { PromptTokens = 32, OutputTokens = 16, Iterations = 2, ConcurrentStreams = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        await foreach (GenerationUpdate _ in busy.ReadAllAsync(TestContext.Current.CancellationToken))
        {
        }

        // Every measured stream lands on a sequence that holds the shared BOS token, the busy one included.
        Assert.All(result.Runs, r => Assert.Equal(64, r.PromptTokens));
    }

    [Fact]
    public async Task BenchmarkLargerThanTheContextIsRefused()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256 });
        await Assert.ThrowsAsync<ContextWindowExceededException>(() =>
            LlamaBenchmark.RunAsync(engine, new LlamaBenchmarkOptions { PromptTokens = 200, OutputTokens = 100 }, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(new double[] { 100 }, 0)]
    [InlineData(new double[] { 100, 110, 105 }, 0.1)]
    [InlineData(new double[] { 100, 130 }, 0.3)]
    public void SpreadComparesTheFastestRunWithTheSlowest(double[] rates, double spread)
    {
        var result = new LlamaBenchmarkResult("m", new LlamaBenchmarkOptions(),
            [.. rates.Select((rate, i) => new LlamaBenchmarkRun(i + 1, 8, 8, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 10, rate))], 1, 1);
        Assert.Equal(spread, result.GenerationSpread, precision: 6);
        Assert.Equal(spread > LlamaBenchmarkResult.NoisySpread, result.GenerationSpread > LlamaBenchmarkResult.NoisySpread);
    }
}
