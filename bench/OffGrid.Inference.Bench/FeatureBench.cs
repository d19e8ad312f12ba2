using System.Diagnostics;
using System.Globalization;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Models;
using OffGrid.Testing;
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
        dotnet run -c Release --project bench/OffGrid.Inference.Bench -- features [--threads N] [--iterations N] [--cache DIR]
        """;

    // A mid-sized random-weight model: long prompts take seconds to evaluate, its KV state is tens of MB.
    private static readonly TestLlamaModelSpec s_promptModel = SyntheticModel.Spec with { EmbeddingLength = 1024, BlockCount = 8, HeadCount = 16, HeadCountKv = 16, FeedForwardLength = 2816, Seed = 100 };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        int? threads = null;
        int iterations = 5;
        string cacheDir = Path.Combine(TestPaths.RepoRoot, ".cache", "bench");
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Count: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--iterations" when i + 1 < args.Count: iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cache" when i + 1 < args.Count: cacheDir = args[++i]; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        output.WriteLine($"OffGrid.Inference feature bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, CPU: {MachineInfo.CpuModel}, {Environment.ProcessorCount} logical cores, threads: {threads?.ToString(CultureInfo.InvariantCulture) ?? "default"}, load at start {LoadAverage.Current:0.00}");
        await SpeculationAsync("stories260K", TestPaths.Stories260K, 256, threads, iterations, output,
        [
            ("off", new SpeculativeDecodingOptions()),
            ("prompt lookup, n-gram 3, draft-max 16", new SpeculativeDecodingOptions { NgramSize = 3 }),
            ("prompt lookup, n-gram 3, draft-max 4", new SpeculativeDecodingOptions { NgramSize = 3, MaxDraftTokens = 4 }),
            ("draft model stories260K (itself), draft-max 4", new SpeculativeDecodingOptions { DraftModelPath = TestPaths.Stories260K, MaxDraftTokens = 4 }),
        ]).ConfigureAwait(false);
        await PromptCacheAsync(MidModel(cacheDir, output), threads, iterations, output).ConfigureAwait(false);
        output.WriteLine($"load at end {LoadAverage.Current:0.00}");
        return 0;
    }

    private static string MidModel(string cacheDir, TextWriter output)
    {
        string path = Path.Combine(cacheDir, "models", $"llama-100m-q8_0-{s_promptModel.CacheKey}.gguf");
        if (!File.Exists(path))
        {
            output.WriteLine($"Generating {path} ...");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            TestLlamaModels.Write(s_promptModel, path + ".tmp");
            File.Move(path + ".tmp", path, overwrite: true);
        }

        return path;
    }

    private static async Task SpeculationAsync(
        string label, string path, int outputTokens, int? threads, int iterations, TextWriter output, (string Name, SpeculativeDecodingOptions Options)[] modes)
    {
        using LlamaModel model = await LlamaModel.LoadAsync(path).ConfigureAwait(false);
        const string Paragraph = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. One day, Lily saw a big red ball. ";
        int[] prompt = model.Tokenize(string.Concat(Enumerable.Repeat(Paragraph, 4)), addSpecial: true, parseSpecial: false);
        var engines = modes.Select(m => new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 1024, Threads = threads, Speculation = m.Options })).ToArray();
        try
        {
            var rates = modes.Select(_ => new List<double>()).ToArray();
            var last = new GenerationUpdate[modes.Length];
            var texts = new string[modes.Length];

            // Modes alternate within each iteration, so a change in machine load touches all of them alike.
            for (int iteration = 0; iteration <= iterations; iteration++)
            {
                for (int m = 0; m < modes.Length; m++)
                {
                    (string text, GenerationUpdate update) = await GenerateAsync(engines[m], prompt, outputTokens).ConfigureAwait(false);
                    if (iteration > 0)
                    {
                        rates[m].Add((update.OutputTokens - 1) / update.GenerationDuration.TotalSeconds);
                    }

                    (texts[m], last[m]) = (text, update);
                }
            }

            output.WriteLine();
            output.WriteLine($"Speculative decoding: {label}, greedy, {prompt.Length}-token prompt that repeats one paragraph 4 times, {outputTokens} tokens, median of {iterations}");
            output.WriteLine();
            output.WriteLine("| Mode | Drafted | Accepted | Acceptance | Generation t/s | Speed-up | Same output |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---|");
            double baseline = Median(rates[0]);
            for (int m = 0; m < modes.Length; m++)
            {
                double rate = Median(rates[m]);
                string acceptance = last[m].DraftTokens > 0 ? $"{100.0 * last[m].AcceptedDraftTokens / last[m].DraftTokens:0.0} %" : "-";
                output.WriteLine($"| {modes[m].Name} | {last[m].DraftTokens} | {last[m].AcceptedDraftTokens} | {acceptance} | {rate:0} | {rate / baseline:0.00}x | {(texts[m] == texts[0] ? "yes" : "NO")} |");
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

    private static async Task<(string Text, GenerationUpdate Last)> GenerateAsync(LlamaEngine engine, int[] prompt, int outputTokens)
    {
        var text = new System.Text.StringBuilder();
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = outputTokens,
            IgnoreEndOfGeneration = true,
        }).ReadAllAsync().ConfigureAwait(false))
        {
            text.Append(update.Text);
            last = update;
        }

        return (text.ToString(), last);
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
