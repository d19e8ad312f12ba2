using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Bench;

/// <summary>
/// One greedy stream of a fixed number of tokens through <see cref="LlamaEngine"/>, with nothing else in the process:
/// the OffGrid side of the per-token overhead comparison with <c>llama-bench -p 0 -n N -t 1</c>, counted with
/// callgrind (see bench/RESULTS.md, "Against llama.cpp itself"). Prints the text's length so the work cannot be skipped.
/// </summary>
internal static class OverheadBench
{
    public const string Usage = "overhead [--tokens N (128)] [--context N (the token count + 1)] [--parallel N (1)] [--stories PATH]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        int tokens = 128;
        int? context = null;
        int parallel = 1;
        string? path = null;
        for (int i = 0; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                output.WriteLine(Usage);
                return 2;
            }

            string value = args[++i];
            switch (args[i - 1])
            {
                case "--tokens": tokens = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--context": context = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--parallel": parallel = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--stories": path = value; break;
                default: output.WriteLine(Usage); return 2;
            }
        }

        using LlamaModel model = await LlamaModel.LoadAsync(path ?? TestPaths.Stories260K, new LlamaModelOptions { SkipMemoryCheck = true }).ConfigureAwait(false);

        // One more than the tokens, so every run ends at the token limit, not at a full context (another code path).
        // The size of the context does not change a decode step's cost, only the cells in use do.
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { Threads = 1, ParallelSequences = parallel, ContextSize = context ?? tokens + 1 });
        ChannelReader<GenerationUpdate> reader = engine.Submit(new GenerationRequest
        {
            PromptTokens = [model.BosToken],
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = tokens,
            IgnoreEndOfGeneration = true,
        });
        int characters = 0;
        GenerationUpdate last = default;
        long first = 0;
        int firstTokens = 0;
        await foreach (GenerationUpdate update in reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (first == 0)
            {
                (first, firstTokens) = (Stopwatch.GetTimestamp(), update.OutputTokens);
            }

            characters += update.Text.Length;
            last = update;
        }

        // Like llama-bench's tg, from the first token the consumer sees to the last (wall time: noisy on a busy machine).
        double seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        output.WriteLine($"{last.OutputTokens} tokens, {characters} characters, {(last.OutputTokens - firstTokens) / seconds:F0} t/s as read, {(last.OutputTokens - 1) / last.GenerationDuration.TotalSeconds:F0} t/s in the engine");
        return 0;
    }
}
