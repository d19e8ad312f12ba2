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
        ChannelReader<GenerationUpdate> busy = SubmitStory(engine, bos: false, outputTokens: 64);
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
        var refused = await Assert.ThrowsAsync<ContextWindowExceededException>(() =>
            LlamaBenchmark.RunAsync(engine, new LlamaBenchmarkOptions { PromptTokens = 200, OutputTokens = 100 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.StartsWith("A prompt of 200 tokens plus 100 output tokens need a context of at least 301 tokens, but the context window is 256 tokens.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdatesReadInABurstAreTimedWhereTheEngineProducedThem()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1 });
        ChannelReader<GenerationUpdate> reader = SubmitStory(engine, bos: true, outputTokens: 32);

        // The reader comes late, as a descheduled benchmark did: the whole answer waits in the channel and is read at once.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var updates = new List<GenerationUpdate>();
        long firstRead = 0;
        await foreach (GenerationUpdate update in reader.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            firstRead = firstRead == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : firstRead;
            updates.Add(update);
        }

        TimeSpan asRead = System.Diagnostics.Stopwatch.GetElapsedTime(firstRead);
        BatchTiming timing = BatchTiming.Of([updates[^1]]);
        Assert.Equal(31, timing.GeneratedTokens);
        Assert.True(timing.GenerationDuration > TimeSpan.Zero);

        // Timed where they were read, 31 tokens took next to nothing (millions of tokens/s); the engine took its steps' time.
        Assert.True(timing.GenerationTokensPerSecond < 100_000, $"{timing.GenerationTokensPerSecond} tokens/s; the reader saw {asRead.TotalMicroseconds} µs");
        Assert.True(timing.PromptDuration > TimeSpan.Zero && timing.PromptDuration < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task OneOutputTokenHasNoGenerationSpeed()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1 });

        LlamaBenchmarkResult result = await LlamaBenchmark.RunAsync(
            engine, new LlamaBenchmarkOptions { PromptTokens = 8, OutputTokens = 1, Iterations = 2 }, cancellationToken: TestContext.Current.CancellationToken);

        // The only token is sampled from the prompt's logits: its time is prompt time, and there is no generation to time.
        Assert.All(result.Runs, r => Assert.Null(r.GenerationTokensPerSecond));
        Assert.Null(result.GenerationTokensPerSecond);
        Assert.Equal(0, result.GenerationSpread);
        Assert.True(result.PromptTokensPerSecond > 0);
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

    /// <summary>A greedy "Once upon a time" of exactly <paramref name="outputTokens"/> tokens, with or without the BOS token the benchmark's prompts share.</summary>
    private static ChannelReader<GenerationUpdate> SubmitStory(LlamaEngine engine, bool bos, int outputTokens) => engine.Submit(new GenerationRequest
    {
        PromptTokens = engine.Model.Tokenize("Once upon a time", addSpecial: bos, parseSpecial: false),
        Sampling = new SamplingParameters { Temperature = 0 },
        MaxOutputTokens = outputTokens,
        IgnoreEndOfGeneration = true,
    });
}
