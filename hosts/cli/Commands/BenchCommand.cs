using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Inference.Benchmarking;
using OffGrid.Inference.Engine;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid bench &lt;model&gt;</c>: prompt and generation throughput, and memory.</summary>
internal sealed class BenchCommand : Command
{
    private readonly CliConsole _console;
    private readonly ModelLocator _locator;
    private readonly Argument<string> _model = new Argument<string>("model") { Description = "The model to measure (alias, owner/repo[:quant], stored model or .gguf path)." }.RejectingOptions();
    private readonly Option<int> _promptTokens = new Option<int>("--prompt-tokens", "-p") { Description = "Prompt length in tokens.", DefaultValueFactory = _ => 128 }.Between(1);
    private readonly Option<int> _outputTokens = new Option<int>("--output-tokens", "-n") { Description = "Tokens generated per run.", DefaultValueFactory = _ => 64 }.Between(1);
    private readonly Option<int> _iterations = new Option<int>("--iterations", "-r") { Description = "Measured runs (after one warm-up).", DefaultValueFactory = _ => 3 }.Between(1);
    private readonly Option<int> _streams = new Option<int>("--streams") { Description = "Answers generated at once (aggregate throughput of continuous batching).", DefaultValueFactory = _ => 1 }.Between(1, 256);
    private readonly Option<int?> _contextSize = new Option<int?>("--ctx", "--ctx-size", "-c") { Description = "Context size of each stream, more than --prompt-tokens plus --output-tokens; defaults to what the runs need." }.Between(16);
    private readonly Option<int?> _threads = ThreadsOption.Create("the runs");
    private readonly Option<bool> _json = new("--json") { Description = "Write the results as JSON." };
    private readonly KvCacheOptions _kvCache = new();

    /// <summary>Creates the command.</summary>
    public BenchCommand(CliConsole console, ModelLocator locator)
        : base("bench", CommandHelp.Describe(
            "Measure how fast a model reads prompts and generates tokens on this machine, and how much memory it takes.",
            "offgrid bench llama3.2",
            "offgrid bench ./model.gguf --prompt-tokens 512 --output-tokens 128 --iterations 5",
            "offgrid bench qwen2.5-0.5b --streams 4 --json"))
    {
        _console = console;
        _locator = locator;
        Add(_model);
        Add(_promptTokens);
        Add(_outputTokens);
        Add(_iterations);
        Add(_streams);
        Add(_contextSize);
        Add(_threads);
        _kvCache.AddTo(this);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new LlamaBenchmarkOptions
        {
            PromptTokens = parse.GetValue(_promptTokens),
            OutputTokens = parse.GetValue(_outputTokens),
            Iterations = parse.GetValue(_iterations),
            ConcurrentStreams = parse.GetValue(_streams),
        };

        // Each stream holds the BOS token, the prompt and the output: --ctx must leave room for all three.
        int needed = options.PromptTokens + options.OutputTokens + 1;
        int? requested = parse.GetValue(_contextSize);
        if (requested < needed)
        {
            throw new UsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"--ctx {requested} is too small: a prompt of {options.PromptTokens} tokens (-p) plus {options.OutputTokens} output tokens (-n) need a context of at least {needed} tokens. Raise --ctx, or leave it out to use what the runs need."));
        }

        string path = await _locator.LocateAsync(parse.GetRequiredValue(_model), cancellationToken).ConfigureAwait(false);
        LlamaEngineOptions engine = _kvCache.ApplyTo(new LlamaEngineOptions
        {
            ParallelSequences = options.ConcurrentStreams,
            ContextSize = requested ?? needed + 15,
            Threads = ThreadsOption.Read(parse, _threads, _console),
        }, parse);
        using LocalModelSession loaded = await LocalModelSession.LoadAsync(_console, path, engine, cancellationToken).ConfigureAwait(false);
        var warnings = new List<string>();
        if (requested is { } given && loaded.Engine.ContextSize != given)
        {
            _console.Error.MarkupLineInterpolated($"[grey]llama.cpp raised --ctx {given} to {loaded.Engine.ContextSize} tokens per stream (the smallest context it allocates).[/]");
        }

        if (TrainedContext.Warning(string.Create(CultureInfo.InvariantCulture, $"-p {options.PromptTokens} plus -n {options.OutputTokens} (a context of {needed} tokens)"), needed, loaded.Engine.Model.TrainedContextLength) is { } beyond)
        {
            warnings.Add(beyond);
        }

        if (options.OutputTokens == 1)
        {
            warnings.Add("with --output-tokens 1 there is no generation speed to measure: the only token is sampled from the prompt's logits, so its time is prompt time. Use -n 2 or more.");
        }

        bool json = parse.GetValue(_json);
        var progress = new SynchronousProgress<LlamaBenchmarkRun>(run =>
        {
            if (!json)
            {
                _console.Error.MarkupLineInterpolated(
                    $"[grey]run {run.Iteration}: prompt {Rate(run.PromptTokensPerSecond)} tokens/s, generation {Rate(run.GenerationTokensPerSecond)} tokens/s[/]");
            }
        });
        LlamaBenchmarkResult result = await LlamaBenchmark.RunAsync(loaded.Engine, options, progress, cancellationToken).ConfigureAwait(false);
        if (result.GenerationSpread > LlamaBenchmarkResult.NoisySpread)
        {
            warnings.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"generation speed varied by {result.GenerationSpread:P0} between runs (more than {LlamaBenchmarkResult.NoisySpread:P0}): another process is probably using the CPU, so these figures are not reliable."));
        }

        foreach (string warning in warnings)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]Warning: {warning}[/]");
        }

        if (json)
        {
            JsonObject report = CliConsole.ToJson(result);
            report["warnings"] = new JsonArray([.. warnings.Select(w => JsonValue.Create(w))]);
            _console.WriteJson(report);
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Model").AddColumn("Size", c => c.RightAligned())
            .AddColumn("Prompt tokens/s", c => c.RightAligned()).AddColumn("Generation tokens/s", c => c.RightAligned())
            .AddColumn("Peak memory", c => c.RightAligned()).AddColumn("Runs", c => c.RightAligned());
        table.AddRow(
            Markup.Escape(result.ModelId),
            ByteSize.Format(result.ModelSizeBytes),
            Rate(result.PromptTokensPerSecond),
            Rate(result.GenerationTokensPerSecond),
            ByteSize.Format(result.PeakWorkingSetBytes),
            string.Create(CultureInfo.InvariantCulture, $"{result.Runs.Count} x {options.PromptTokens}+{options.OutputTokens} tokens, {options.ConcurrentStreams} stream(s)"));
        _console.Out.Write(table);
        return 0;
    }

    /// <summary>A rate with one decimal; "n/a" where there is none (one output token: no generation to time).</summary>
    private static string Rate(double? tokensPerSecond) => tokensPerSecond?.ToString("0.0", CultureInfo.InvariantCulture) ?? "n/a";
}
