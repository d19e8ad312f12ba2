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
    /// <exception cref="InvalidRequestException">A count is below 1, or more streams are asked for than the engine decodes at once.</exception>
    public static async Task<LlamaBenchmarkResult> RunAsync(LlamaEngine engine, LlamaBenchmarkOptions? options = null, IProgress<LlamaBenchmarkRun>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        options ??= new LlamaBenchmarkOptions();
        options.Validate();
        if (options.PromptTokens + options.OutputTokens >= engine.ContextSize)
        {
            throw new ContextWindowExceededException(options.PromptTokens, options.OutputTokens, engine.ContextSize);
        }

        if (options.ConcurrentStreams > engine.ParallelSequences)
        {
            throw new InvalidRequestException($"The engine decodes at most {engine.ParallelSequences} streams at once; {options.ConcurrentStreams} were asked for.", nameof(LlamaBenchmarkOptions.ConcurrentStreams));
        }

        await WarmUpAsync(engine, options, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Generates on every stream until each has produced a measured run's output, so that every sequence a measured run can
    /// land on holds the BOS token its prompt shares. Streams that ran one after the other (the caller was descheduled
    /// between two submissions, or a sequence was busy) would leave a sequence cold, and a measured run that landed there
    /// would evaluate one prompt token more.
    /// </summary>
    private static async Task WarmUpAsync(LlamaEngine engine, LlamaBenchmarkOptions options, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int waiting = options.ConcurrentStreams;
        await Task.WhenAll(Enumerable.Range(0, options.ConcurrentStreams).Select(async stream =>
        {
            int[] prompt = Prompt(engine, options.PromptTokens, stream);
            bool done = false;
            await foreach (GenerationUpdate update in engine.Submit(Request(prompt, engine.ContextSize - prompt.Length - 1, stop.Token)).ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // The last stream to get there ends the others; a stream that fills its context ends by itself.
                if (!done && (update.OutputTokens >= options.OutputTokens || update.Finish is not null))
                {
                    done = true;
                    if (Interlocked.Decrement(ref waiting) == 0)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                }
            }
        })).ConfigureAwait(false);
    }

    private static async Task<LlamaBenchmarkRun> RunOnceAsync(LlamaEngine engine, LlamaBenchmarkOptions options, int iteration, CancellationToken cancellationToken)
    {
        GenerationUpdate[] finals = await Task.WhenAll(Enumerable.Range(0, options.ConcurrentStreams)
            .Select(stream => GenerateAsync(engine, Prompt(engine, options.PromptTokens, (iteration * 1000) + stream), options.OutputTokens, cancellationToken)))
            .ConfigureAwait(false);
        BatchTiming timing = BatchTiming.Of(finals);
        return new LlamaBenchmarkRun(
            iteration, timing.PromptTokens, finals.Sum(f => f.OutputTokens), timing.PromptDuration, timing.PromptDuration + timing.GenerationDuration,
            timing.PromptTokensPerSecond, timing.GenerationTokensPerSecond);
    }

    private static async Task<GenerationUpdate> GenerateAsync(LlamaEngine engine, int[] prompt, int outputTokens, CancellationToken cancellationToken)
    {
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in engine.Submit(Request(prompt, outputTokens, cancellationToken)).ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            last = update;
        }

        return last;
    }

    /// <summary>A greedy request that generates exactly <paramref name="outputTokens"/> tokens unless cancelled.</summary>
    private static GenerationRequest Request(int[] prompt, int outputTokens, CancellationToken cancellationToken) => new()
    {
        PromptTokens = prompt,
        Sampling = new SamplingParameters { Temperature = 0 },
        MaxOutputTokens = outputTokens,
        IgnoreEndOfGeneration = true,
        CancellationToken = cancellationToken,
    };

    /// <summary>
    /// A prompt of <paramref name="length"/> random tokens that shares no prefix with other seeds, after the BOS token
    /// when the model adds one: every prompt shares that BOS, so the engine keeps it cached after the warm-up run and
    /// exactly <paramref name="length"/> tokens are evaluated in each measured run.
    /// </summary>
    private static int[] Prompt(LlamaEngine engine, int length, int seed)
    {
        var random = new Random(seed);
        int vocabulary = engine.Model.VocabularySize;
        int start = engine.Model.AddsBosToken && engine.Model.BosToken >= 0 ? 1 : 0;
        int[] tokens = new int[start + length];
        if (start == 1)
        {
            tokens[0] = engine.Model.BosToken;
        }

        for (int i = start; i < tokens.Length; i++)
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
