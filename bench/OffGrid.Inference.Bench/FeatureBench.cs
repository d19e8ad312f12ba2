using System.Diagnostics;
using System.Globalization;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Bench;

/// <summary>
/// Figures of the engine features that trade work for speed (<c>features</c> mode): speculative decoding on a prompt
/// the answer repeats (acceptance rate and generation speed against no speculation), and the time to the first token
/// of a long prompt evaluated cold against one restored from the on-disk prompt cache.
/// </summary>
internal static class FeatureBench
{
    public const string Usage = """
        dotnet run -c Release --project bench/OffGrid.Inference.Bench -- features [--only speculation] [--threads N] [--iterations N] [--weights q4_0|q8_0|f16] [--cache DIR]
        """;

    // A mid-sized random-weight model: long prompts take seconds to evaluate, its KV state is tens of MB.
    private static readonly TestLlamaModelSpec s_promptModel = SyntheticModel.Spec with { EmbeddingLength = 1024, BlockCount = 8, HeadCount = 16, HeadCountKv = 16, FeedForwardLength = 2816, Seed = 100 };

    // About 270M parameters whose greedy answer walks 64-token cycles (TestLlamaModelSpec.RepeatCycleLength): big enough
    // that a decode step is bound by reading the weights, as in real models where speculation pays.
    private static readonly TestLlamaModelSpec s_repeatModel = SyntheticModel.Spec32K with
    {
        EmbeddingLength = 1024, BlockCount = 16, HeadCount = 16, HeadCountKv = 16, FeedForwardLength = 2816, RepeatCycleLength = 64, Seed = 270,
    };

    // The same vocabulary and seed give the same cycles at a 30th of the target's weights.
    private static readonly TestLlamaModelSpec s_repeatDraft = s_repeatModel with { EmbeddingLength = 256, BlockCount = 2, HeadCount = 4, HeadCountKv = 4, FeedForwardLength = 704 };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        int? threads = null;
        int iterations = 5;
        bool speculationOnly = false;
        GgufTensorType weights = GgufTensorType.Q4_0;
        string cacheDir = Path.Combine(TestPaths.RepoRoot, ".cache", "bench");
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Count: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--iterations" when i + 1 < args.Count: iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cache" when i + 1 < args.Count: cacheDir = args[++i]; break;
                case "--only" when i + 1 < args.Count && args[i + 1] == "speculation": speculationOnly = true; i++; break;
                case "--weights" when i + 1 < args.Count && Enum.TryParse(args[i + 1], ignoreCase: true, out weights) && weights is not GgufTensorType.F32: i++; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        output.WriteLine($"OffGrid.Inference feature bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, CPU: {MachineInfo.CpuModel}, {Environment.ProcessorCount} logical cores, threads: {threads?.ToString(CultureInfo.InvariantCulture) ?? "default"}, load at start {LoadAverage.Current:0.00}");
        const string Paragraph = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. One day, Lily saw a big red ball. ";
        await SpeculationAsync(
            TestPaths.Stories260K, model => model.Tokenize(string.Concat(Enumerable.Repeat(Paragraph, 4)), addSpecial: true, parseSpecial: false),
            prompt => $"stories260K, greedy, {prompt}-token prompt that repeats one paragraph 4 times", 256, [threads], iterations, output,
        [
            ("off", new SpeculativeDecodingOptions()),
            ("prompt lookup, n-gram 3, draft-max 16", new SpeculativeDecodingOptions { NgramSize = 3 }),
            ("prompt lookup, n-gram 3, draft-max 4", new SpeculativeDecodingOptions { NgramSize = 3, MaxDraftTokens = 4 }),
            ("draft model stories260K (itself), draft-max 4", new SpeculativeDecodingOptions { DraftModelPath = TestPaths.Stories260K, MaxDraftTokens = 4 }),
        ]).ConfigureAwait(false);
        await RepeatModelSpeculationAsync(cacheDir, weights, threads is { } t ? [t] : [1, 2], iterations, output).ConfigureAwait(false);
        if (!speculationOnly)
        {
            await PromptCacheAsync((await SyntheticModel.GetOrCreateAsync(cacheDir, output, s_promptModel).ConfigureAwait(false)).Path, threads, iterations, output).ConfigureAwait(false);
        }

        output.WriteLine($"load at end {LoadAverage.Current:0.00}");
        return 0;
    }

    private static async Task RepeatModelSpeculationAsync(string cacheDir, GgufTensorType weights, int?[] threadCounts, int iterations, TextWriter output)
    {
        (string target, long targetParameters) = await SyntheticModel.GetOrCreateAsync(cacheDir, output, s_repeatModel with { WeightType = weights }).ConfigureAwait(false);
        (string draft, long draftParameters) = await SyntheticModel.GetOrCreateAsync(cacheDir, output, s_repeatDraft with { WeightType = weights }).ConfigureAwait(false);
        int[] cycle = TestLlamaModels.RepeatCycles(s_repeatModel)[0];

        // BOS, then one cycle walked 3 times, stopping 3 tokens short: the answer carries on around the cycle.
        int[] prompt = [1, .. Enumerable.Range(0, (3 * cycle.Length) - 3).Select(i => cycle[i % cycle.Length])];
        string draftLabel = $"draft model {draftParameters / 1e6:0}M ({s_repeatDraft.EmbeddingLength} wide, {s_repeatDraft.BlockCount} layers)";
        await SpeculationAsync(
            target, _ => prompt,
            length => $"repeat model {targetParameters / 1e6:0}M {weights}, 32k vocabulary, greedy, {length}-token prompt that walks one {cycle.Length}-token cycle 3 times", 128, threadCounts, iterations, output,
        [
            ("off", new SpeculativeDecodingOptions()),
            ("prompt lookup, n-gram 3, draft-max 16", new SpeculativeDecodingOptions { NgramSize = 3 }),
            ("prompt lookup, n-gram 3, draft-max 4", new SpeculativeDecodingOptions { NgramSize = 3, MaxDraftTokens = 4 }),
            ($"{draftLabel}, draft-max 16", new SpeculativeDecodingOptions { DraftModelPath = draft }),
            ($"{draftLabel}, draft-max 4", new SpeculativeDecodingOptions { DraftModelPath = draft, MaxDraftTokens = 4 }),
        ]).ConfigureAwait(false);
    }

    private static async Task SpeculationAsync(
        string path, Func<LlamaModel, int[]> tokenizePrompt, Func<int, string> title, int outputTokens, int?[] threadCounts, int iterations, TextWriter output,
        (string Name, SpeculativeDecodingOptions Options)[] modes)
    {
        using LlamaModel model = await LlamaModel.LoadAsync(path).ConfigureAwait(false);
        int[] prompt = tokenizePrompt(model);
        var rates = new double[threadCounts.Length, modes.Length];
        var last = new GenerationUpdate[modes.Length];
        var same = Enumerable.Repeat(true, modes.Length).ToArray();
        for (int t = 0; t < threadCounts.Length; t++)
        {
            var engines = modes.Select(m => new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 1024, Threads = threadCounts[t], Speculation = m.Options })).ToArray();
            try
            {
                var runs = modes.Select(_ => new List<double>()).ToArray();

                // Modes alternate within each iteration, so a change in machine load touches all of them alike.
                for (int iteration = 0; iteration <= iterations; iteration++)
                {
                    for (int m = 0; m < modes.Length; m++)
                    {
                        GenerationUpdate update = await GenerateAsync(engines[m], prompt, outputTokens).ConfigureAwait(false);
                        if (iteration > 0)
                        {
                            runs[m].Add((update.OutputTokens - 1) / update.GenerationDuration.TotalSeconds);
                        }

                        last[m] = update;
                        same[m] &= update.OutputTokenIds.SequenceEqual(last[0].OutputTokenIds);
                    }
                }

                for (int m = 0; m < modes.Length; m++)
                {
                    rates[t, m] = Median(runs[m]);
                }
            }
            finally
            {
                foreach (LlamaEngine engine in engines)
                {
                    engine.Dispose();
                }
            }
        }

        output.WriteLine();
        output.WriteLine($"Speculative decoding: {title(prompt.Length)}, {outputTokens} tokens generated (end of text ignored), median of {iterations}");
        output.WriteLine();
        string columns = string.Concat(threadCounts.Select(t => $" {(t is { } n ? $"{n} thread{(n == 1 ? "" : "s")}" : "default threads")} t/s | Speed-up |"));
        output.WriteLine($"| Mode | Drafted | Accepted | Acceptance |{columns} Same output |");
        output.WriteLine($"|---|---:|---:|---:|{string.Concat(threadCounts.Select(_ => "---:|---:|"))}---|");
        for (int m = 0; m < modes.Length; m++)
        {
            string acceptance = last[m].DraftTokens > 0 ? $"{100.0 * last[m].AcceptedDraftTokens / last[m].DraftTokens:0.0} %" : "-";
            string speeds = string.Concat(Enumerable.Range(0, threadCounts.Length).Select(t => $" {rates[t, m]:0.0} | {rates[t, m] / rates[t, 0]:0.00}× |"));
            output.WriteLine($"| {modes[m].Name} | {last[m].DraftTokens} | {last[m].AcceptedDraftTokens} | {acceptance} |{speeds} {(same[m] ? "yes" : "NO")} |");
        }
    }

    private static async Task PromptCacheAsync(string path, int? threads, int iterations, TextWriter output)
    {
        const int PromptTokens = 1536;
        long parameters = (await GgufFile.ReadAsync(path).ConfigureAwait(false)).ParameterCount;
        using LlamaModel model = await LlamaModel.LoadAsync(path).ConfigureAwait(false);
        string states = Path.Combine(Path.GetTempPath(), "offgrid-bench-prompt-states-" + Guid.NewGuid().ToString("N"));
        var cold = new List<double>();
        var restored = new List<double>();
        long stateBytes = 0;
        try
        {
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                // Each iteration has its own prompt; a new engine stands for a restarted process.
                int[] prompt = model.Tokenize(Prompts.Text(model, PromptTokens, seed: iteration))[..PromptTokens];
                cold.Add(await TimeToFirstTokenAsync(model, prompt, threads, states).ConfigureAwait(false));
                restored.Add(await TimeToFirstTokenAsync(model, prompt, threads, states).ConfigureAwait(false));
                stateBytes = Directory.GetFiles(states, "*.kvstate", SearchOption.AllDirectories).Max(f => new FileInfo(f).Length);
            }
        }
        finally
        {
            Directory.Delete(states, recursive: true);
        }

        output.WriteLine();
        output.WriteLine($"Prompt cache: random-weight {parameters / 1e6:0}M Q8_0 model, {PromptTokens}-token prompt, time to first token from a new engine, median of {iterations}");
        output.WriteLine();
        output.WriteLine("| Case | Time to first token | Saved state |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine($"| cold (prompt evaluated) | {Median(cold) * 1000:0} ms | |");
        output.WriteLine($"| restored from disk | {Median(restored) * 1000:0} ms | {stateBytes / (double)(1 << 20):0.0} MiB |");
        output.WriteLine($"| speed-up | {Median(cold) / Median(restored):0.0}x | |");
    }

    private static async Task<double> TimeToFirstTokenAsync(LlamaModel model, int[] prompt, int? threads, string states)
    {
        using var engine = new LlamaEngine(model, new LlamaEngineOptions
        {
            ParallelSequences = 1,
            ContextSize = 2048,
            Threads = threads,
            PromptCache = { Enabled = true, Directory = states, MinTokens = 16 },
        });
        long started = Stopwatch.GetTimestamp();
        await GenerateAsync(engine, prompt, 1).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<GenerationUpdate> GenerateAsync(LlamaEngine engine, int[] prompt, int outputTokens)
    {
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = outputTokens,
            IgnoreEndOfGeneration = true,
        }).ReadAllAsync().ConfigureAwait(false))
        {
            last = update;
        }

        return last;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
