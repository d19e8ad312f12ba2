using System.Diagnostics;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Benchmarking;

/// <summary>
/// Measures prompt and generation throughput of an engine the way users see it (through the batched scheduler),
/// for <c>offgrid bench</c> and the server's <c>/v1/benchmark</c>.
/// </summary>
public static class LlamaBenchmark
{
    /// <summary>Runs one warm-up and <see cref="LlamaBenchmarkOptions.Iterations"/> measured runs.</summary>
    /// <param name="engine">The engine to measure; other requests on it distort the figures.</param>
    /// <param name="options">What to measure.</param>
    /// <param name="progress">Receives each measured run.</param>
    /// <param name="cancellationToken">Stops the benchmark.</param>
    /// <exception cref="ContextWindowExceededException">Prompt plus output do not fit in the engine's context.</exception>
    public static async Task<LlamaBenchmarkResult> RunAsync(LlamaEngine engine, LlamaBenchmarkOptions? options = null, IProgress<LlamaBenchmarkRun>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        options ??= new LlamaBenchmarkOptions();
        options.Validate();
        if (options.PromptTokens + options.OutputTokens >= engine.ContextSize)
        {
            throw new ContextWindowExceededException(options.PromptTokens + options.OutputTokens, engine.ContextSize);
        }

        if (options.ConcurrentStreams > engine.ParallelSequences)
        {
            throw new ArgumentException($"The engine decodes at most {engine.ParallelSequences} streams at once; {options.ConcurrentStreams} were asked for.", nameof(options));
        }

        await RunOnceAsync(engine, options, iteration: 0, cancellationToken).ConfigureAwait(false);
        var runs = new List<LlamaBenchmarkRun>(options.Iterations);
        for (int i = 1; i <= options.Iterations; i++)
        {
            LlamaBenchmarkRun run = await RunOnceAsync(engine, options, i, cancellationToken).ConfigureAwait(false);
            runs.Add(run);
            progress?.Report(run);
        }

        using var process = Process.GetCurrentProcess();
        return new LlamaBenchmarkResult(engine.Model.Id, options, runs, engine.Model.SizeBytes, process.PeakWorkingSet64);
    }

    private static async Task<LlamaBenchmarkRun> RunOnceAsync(LlamaEngine engine, LlamaBenchmarkOptions options, int iteration, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        GenerationUpdate[] finals = await Task.WhenAll(Enumerable.Range(0, options.ConcurrentStreams)
            .Select(stream => GenerateAsync(engine, Prompt(engine, options.PromptTokens, (iteration * 1000) + stream), options.OutputTokens, cancellationToken)))
            .ConfigureAwait(false);
        stopwatch.Stop();

        int promptTokens = finals.Sum(f => f.PromptTokens - f.CachedPromptTokens);
        int outputTokens = finals.Sum(f => f.OutputTokens);
        TimeSpan promptDuration = finals.Max(f => f.PromptDuration);
        TimeSpan generation = stopwatch.Elapsed - promptDuration;
        return new LlamaBenchmarkRun(
            iteration, promptTokens, outputTokens, promptDuration, stopwatch.Elapsed,
            promptTokens / Math.Max(promptDuration.TotalSeconds, 1e-9),
            outputTokens / Math.Max(generation.TotalSeconds, 1e-9));
    }

    private static async Task<GenerationUpdate> GenerateAsync(LlamaEngine engine, int[] prompt, int outputTokens, CancellationToken cancellationToken)
    {
        var request = new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = outputTokens,
            IgnoreEndOfGeneration = true,
            CancellationToken = cancellationToken,
        };
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in engine.Submit(request).ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            last = update;
        }

        return last;
    }

    /// <summary>A prompt of exactly <paramref name="length"/> tokens that shares no prefix with other seeds, so no KV cache is reused.</summary>
    private static int[] Prompt(LlamaEngine engine, int length, int seed)
    {
        var random = new Random(seed);
        int vocabulary = engine.Model.VocabularySize;
        int[] tokens = new int[length];
        int start = 0;
        if (engine.Model.AddsBosToken && engine.Model.BosToken >= 0)
        {
            tokens[0] = engine.Model.BosToken;
            start = 1;
        }

        for (int i = start; i < length; i++)
        {
            int token;
            do
            {
                token = random.Next(vocabulary);
            }
            while (engine.Model.IsEndOfGeneration(token));
            tokens[i] = token;
        }

        return tokens;
    }
}
