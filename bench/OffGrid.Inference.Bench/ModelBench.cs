using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Bench;

/// <summary>
/// Measures one model: the chat client against the plain loop on one stream, then the engine with 1..N concurrent
/// streams against the plain loop with as many sequences per batch. The two sides of each comparison run
/// alternately, iteration by iteration, so that load changes on a shared machine hit both alike.
/// </summary>
internal sealed class ModelBench(BenchCase bench, BenchSettings settings, int threads, TextWriter log)
{
    private const int TargetForBatches = 4;
    private const double BatchedTarget = 0.95;
    private readonly List<BenchRow> _rows = [];

    public async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        using LlamaModel model = await LlamaModel.LoadAsync(bench.Path, new LlamaModelOptions { SkipMemoryCheck = true }).ConfigureAwait(false);
        log.WriteLine($"{bench.Name}: {model.Description}, {model.ParameterCount:N0} parameters, {model.SizeBytes / (1 << 20)} MiB");
        await MeasureChatClientAsync(model).ConfigureAwait(false);
        await MeasureStreamsAsync(model).ConfigureAwait(false);
        return _rows;
    }

    private async Task MeasureChatClientAsync(LlamaModel model)
    {
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { Threads = threads, ContextSize = bench.ContextPerSequence });
        using var client = new LlamaChatClient(engine);
        using var plain = new PlainLlamaLoop(model, 1, bench.ContextPerSequence, threads);
        using var plainWithSlots = new PlainLlamaLoop(model, 1, bench.ContextPerSequence, threads, contextSequences: engine.ParallelSequences);
        await ChatStream.RunAsync(client, Prompts.Text(model, 16, seed: -1), 8).ConfigureAwait(false);
        int[] warmUp = model.Tokenize(Prompts.Text(model, 16, seed: -1));
        plain.Run([warmUp], 8);
        plainWithSlots.Run([warmUp], 8);

        double load = await WaitForQuietAsync($"chat client vs plain loop, 1 stream").ConfigureAwait(false);
        var chatRuns = new List<Throughput>();
        var plainRuns = new List<Throughput>();
        var plainWithSlotsRuns = new List<Throughput>();
        for (int i = 0; i < Iterations; i++)
        {
            string prompt = Prompts.Text(model, bench.PromptTokens, seed: i);
            Throughput chat = await ProcessCpu.MeasureAsync(() => ChatStream.RunAsync(client, prompt, bench.OutputTokens)).ConfigureAwait(false);
            chatRuns.Add(chat);

            // The same tokens and the same number of outputs (the chat stops early at end-of-generation).
            int[] tokens = model.Tokenize(prompt);
            plainRuns.Add(ProcessCpu.Measure(() => plain.Run([tokens], chat.GeneratedTokens + 1)));
            plainWithSlotsRuns.Add(ProcessCpu.Measure(() => plainWithSlots.Run([tokens], chat.GeneratedTokens + 1)));
            Report("chat client", chatRuns[^1], plainRuns[^1]);
            Report($"plain loop, n_seq_max {engine.ParallelSequences}", plainWithSlotsRuns[^1], plainRuns[^1]);
        }

        BenchRow reference = Row("plain C-API loop", plainRuns, streams: 1, load);
        _rows.Add(Compared(Row("LlamaChatClient (streaming)", chatRuns, streams: 1, load), reference, bench.SingleStreamTarget));
        _rows.Add(reference);
        _rows.Add(Compared(Row($"plain C-API loop, n_seq_max {engine.ParallelSequences} (diagnostic)", plainWithSlotsRuns, streams: 1, load), reference, target: null));
    }

    private async Task MeasureStreamsAsync(LlamaModel model)
    {
        var options = new LlamaEngineOptions { Threads = threads, ContextSize = bench.ContextPerSequence, ParallelSequences = settings.Streams.Max() };
        using var engine = new LlamaEngine(model, options);
        foreach (int streams in settings.Streams.Union(settings.PlainStreams).Order())
        {
            using PlainLlamaLoop? plain = settings.PlainStreams.Contains(streams) ? new PlainLlamaLoop(model, streams, bench.ContextPerSequence, threads) : null;
            bool viaEngine = settings.Streams.Contains(streams);
            int[][] warmUp = Enumerable.Range(0, streams).Select(s => Prompts.RandomTokens(model, 16, seed: -1 - s)).ToArray();
            if (viaEngine)
            {
                await EngineStreams.RunAsync(engine, warmUp, 4).ConfigureAwait(false);
            }

            plain?.Run(warmUp, 4);
            double load = await WaitForQuietAsync($"{streams} stream(s)").ConfigureAwait(false);
            var engineRuns = new List<Throughput>();
            var plainRuns = new List<Throughput>();
            for (int i = 0; i < Iterations; i++)
            {
                int[][] prompts = Enumerable.Range(0, streams).Select(s => Prompts.RandomTokens(model, bench.PromptTokens, seed: (1000 * (i + 1)) + s)).ToArray();
                Throughput? measured = viaEngine ? await ProcessCpu.MeasureAsync(() => EngineStreams.RunAsync(engine, prompts, bench.OutputTokens)).ConfigureAwait(false) : null;
                Throughput? plainRun = plain is null ? null : ProcessCpu.Measure(() => plain.Run(prompts, bench.OutputTokens));
                engineRuns.AddRange(measured is { } m ? [m] : []);
                plainRuns.AddRange(plainRun is { } r ? [r] : []);
                Report($"{streams} stream(s)", measured, plainRun);
            }

            BenchRow? reference = plain is null ? null : Row("plain C-API batch", plainRuns, streams, load);
            if (viaEngine)
            {
                BenchRow row = Row("LlamaEngine", engineRuns, streams, load);
                _rows.Add(reference is null ? row : Compared(row, reference, streams >= TargetForBatches ? BatchedTarget : null));
            }

            _rows.AddRange(reference is null ? [] : [reference]);
        }
    }

    private int Iterations => settings.Iterations ?? bench.Iterations;

    private static BenchRow Compared(BenchRow row, BenchRow reference, double? target) =>
        row with { Ratio = row.Generation.Mean / reference.Generation.Mean, Target = target };

    private BenchRow Row(string path, List<Throughput> runs, int streams, double load) => new(
        bench.Name,
        path,
        streams,
        Summary.Of(runs.Select(r => r.PromptTokensPerSecond).ToArray()),
        Summary.Of(runs.Select(r => r.GenerationTokensPerSecond).ToArray()),
        runs.Average(r => r.StepTime(streams).TotalMilliseconds),
        runs.Average(r => r.CpuPerToken.TotalMicroseconds),
        load);

    private async Task<double> WaitForQuietAsync(string phase)
    {
        double load = await LoadAverage.WaitForQuietAsync(settings.MaxLoad, settings.LoadWait, log).ConfigureAwait(false);
        log.WriteLine($"{bench.Name}, {phase}: load average {load:0.00}");
        return load;
    }

    private void Report(string phase, Throughput? measured, Throughput? reference) =>
        log.WriteLine($"  {phase}: {Describe(measured)} | plain {Describe(reference)}");

    private static string Describe(Throughput? run) =>
        run is { } r ? $"prompt {r.PromptTokensPerSecond:0.0} tok/s, generation {r.GenerationTokensPerSecond:0.0} tok/s ({r.GeneratedTokens} tokens), CPU {r.CpuPerToken.TotalMicroseconds:0} µs/token" : "-";
}
