using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Bench;

/// <summary>
/// OffGrid's engine against llama.cpp's own <c>llama-bench</c> built from the same sources: single-stream generation
/// (tg) and prompt processing (pp) at 1 and 2 threads, idle and with another process burning one core. The two sides
/// alternate run by run in this one invocation, so load changes hit both; ratios compare medians.
/// </summary>
internal sealed class AnchorBench(LlamaCppTools tools, BenchSettings settings, TextWriter log)
{
    private const int Prompt = 128;

    public async Task<IReadOnlyList<AnchorRow>> RunAsync(string name, string path, int generate)
    {
        var rows = new List<AnchorRow>();
        using LlamaModel model = await LlamaModel.LoadAsync(path, new LlamaModelOptions { SkipMemoryCheck = true }).ConfigureAwait(false);
        foreach (int threads in settings.Threads is { } fixedThreads ? [fixedThreads] : new[] { 1, 2 })
        {
            rows.Add(await CompareAsync(model, path, $"{name}, tg{generate}, {threads} thread(s)", threads, threads, 4, generate, contended: false).ConfigureAwait(false));
            rows.Add(await CompareAsync(model, path, $"{name}, pp{Prompt}, {threads} thread(s)", threads, threads, Prompt, 0, contended: false).ConfigureAwait(false));
        }

        // Under contention each side runs at its default: llama-bench uses every core, OffGrid chooses for itself.
        rows.Add(await CompareAsync(model, path, $"{name}, tg{generate}, defaults, one core busy", llamaThreads: Environment.ProcessorCount, offGridThreads: null, 4, generate, contended: true).ConfigureAwait(false));
        return rows;
    }

    private async Task<AnchorRow> CompareAsync(LlamaModel model, string path, string label, int llamaThreads, int? offGridThreads, int promptLength, int generate, bool contended)
    {
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { Threads = offGridThreads, ParallelSequences = 1, ContextSize = 512 });
        await EngineStreams.RunAsync(engine, [Prompts.RandomTokens(model, 4, seed: -1)], 8).ConfigureAwait(false);
        using CoreBurner? burner = contended ? new CoreBurner() : null;
        double load = LoadAverage.Current;
        var llama = new List<double>();
        var offGrid = new List<double>();
        int iterations = settings.Iterations ?? (settings.Quick ? 3 : 7);
        for (int i = 0; i < iterations; i++)
        {
            llama.Add(tools.RunLlamaBench(path, llamaThreads, generate > 0 ? 0 : promptLength, generate));

            // A new prompt each time: a repeated one would come from the cache.
            int[] prompt = Prompts.RandomTokens(model, promptLength, seed: i);
            Throughput run = await EngineStreams.RunAsync(engine, [prompt], Math.Max(generate, 1) + 1).ConfigureAwait(false);
            offGrid.Add(generate > 0 ? run.GenerationTokensPerSecond : run.PromptTokensPerSecond);
            log.WriteLine($"  {label}: llama.cpp {llama[^1]:N0} t/s, OffGrid {offGrid[^1]:N0} t/s ({engine.CurrentThreads} threads)");
        }

        return new AnchorRow(label, llama, offGrid, generate, load);
    }
}

/// <summary>One compared case: tokens/s of every run on each side.</summary>
internal sealed record AnchorRow(string Case, IReadOnlyList<double> LlamaCpp, IReadOnlyList<double> OffGrid, int Generated, double Load)
{
    public double Ratio => Median(OffGrid) / Median(LlamaCpp);

    /// <summary>OffGrid's extra time per token over llama.cpp in microseconds (generation rows only).</summary>
    public double? OverheadMicroseconds => Generated > 0 ? (1e6 / Median(OffGrid)) - (1e6 / Median(LlamaCpp)) : null;

    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Render(IReadOnlyList<AnchorRow> rows)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("| Case | llama.cpp t/s (min–max) | OffGrid t/s (min–max) | Ratio (medians) | Extra µs/token | Load |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (AnchorRow row in rows)
        {
            string overhead = row.OverheadMicroseconds is { } us ? $"{us:N0}" : "–";
            text.AppendLine($"| {row.Case} | {row.LlamaCpp.Min():N0}–{row.LlamaCpp.Max():N0} | {row.OffGrid.Min():N0}–{row.OffGrid.Max():N0} | {row.Ratio:0.00}× | {overhead} | {row.Load:0.0} |");
        }

        return text.ToString();
    }
}
