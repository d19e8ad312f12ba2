using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid show &lt;model&gt;</c>: GGUF metadata and the memory the model needs, without loading it.</summary>
internal sealed class ShowCommand : Command
{
    private const int DefaultContext = 4096;
    private const int LongValue = 80;

    private readonly CliConsole _console;
    private readonly ModelLocator _locator;
    private readonly Argument<string> _model = new Argument<string>("model") { Description = "A stored model (name or reference) or a path to a .gguf file." }.RejectingOptions();
    private readonly Option<int?> _contextSize = new Option<int?>("--ctx", "--ctx-size", "-c") { Description = "The context size for the memory estimate; defaults to 4096 or the trained context, whichever is smaller." }.Between(16);
    private readonly KvCacheOptions _kvCache = new();
    private readonly Option<bool> _metadata = new("--metadata") { Description = "Also list every metadata key (long arrays are summarized)." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the details as JSON." };

    /// <summary>Creates the command.</summary>
    public ShowCommand(CliConsole console, ModelLocator locator)
        : base("show", CommandHelp.Describe(
            "Show a model's architecture, size, quantization, context and memory estimate, read from its GGUF header.",
            "offgrid show llama3.2",
            "offgrid show ./model.gguf --ctx 8192 --metadata",
            "offgrid show llama3.2 --ctx 32768 --cache-type-k q8_0 --cache-type-v q8_0",
            "offgrid show qwen2.5 --json"))
    {
        _console = console;
        _locator = locator;
        Add(_model);
        Add(_contextSize);
        _kvCache.AddTo(this, flashAttention: false);
        Add(_metadata);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string path = await _locator.FindAsync(parse.GetRequiredValue(_model), cancellationToken).ConfigureAwait(false);
        GgufFile file = await GgufFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        int context = parse.GetValue(_contextSize) ?? (int)Math.Min(DefaultContext, file.ContextLength ?? DefaultContext);

        // The estimate of a cache the model cannot use would be a number for something that never runs.
        _kvCache.ApplyTo(new LlamaEngineOptions(), parse).EnsureCacheTypesFit(file, Path.GetFileNameWithoutExtension(path));
        ModelMemoryEstimate memory = ModelMemoryEstimate.Create(
            file, context, KvCacheOptions.Type(parse, _kvCache.CacheTypeK) ?? GgmlType.F16, KvCacheOptions.Type(parse, _kvCache.CacheTypeV) ?? GgmlType.F16);
        if (TrainedContext.Warning($"--ctx {context}", context, file.ContextLength) is { } beyond)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]Warning: {beyond}[/]");
        }

        bool allMetadata = parse.GetValue(_metadata);

        if (parse.GetValue(_json))
        {
            _console.WriteJson(new
            {
                Path = path,
                file.Name,
                file.Architecture,
                Quantization = file.QuantizationLabel,
                file.ParameterCount,
                file.ContextLength,
                file.EmbeddingLength,
                file.BlockCount,
                file.HeadCount,
                file.HeadCountKv,
                file.VocabSize,
                file.FileLength,
                HasChatTemplate = file.ChatTemplate is not null,
                Memory = new { memory.ContextLength, memory.WeightsBytes, memory.KvCacheBytes, memory.TotalBytes, KvCacheTypeK = memory.KvCacheType.ToString().ToLowerInvariant(), KvCacheTypeV = memory.ValueCacheType.ToString().ToLowerInvariant() },
                Metadata = allMetadata ? file.Metadata.ToDictionary(kv => kv.Key, kv => Summarize(kv.Value)) : null,
            });
            return 0;
        }

        var details = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        AddRow(details, "Path", path);
        AddRow(details, "Name", file.Name);
        AddRow(details, "Architecture", file.Architecture);
        AddRow(details, "Parameters", ListCommand.FormatParameters(file.ParameterCount));
        AddRow(details, "Quantization", file.QuantizationLabel);
        AddRow(details, "File size", file.FileLength is { } length ? ByteSize.Format(length) : null);
        AddRow(details, "Trained context", Number(file.ContextLength));
        AddRow(details, "Embedding length", Number(file.EmbeddingLength));
        AddRow(details, "Layers", Number(file.BlockCount));
        AddRow(details, "Attention heads", file.HeadCount is null ? null : $"{file.HeadCount} ({file.HeadCountKv ?? file.HeadCount} key/value)");
        AddRow(details, "Vocabulary", Number(file.VocabSize));
        AddRow(details, "Chat template", file.ChatTemplate is null ? "none (base model: prompts are continued)" : "yes");
        AddRow(details, "Memory", $"{ByteSize.Format(memory.TotalBytes)} at {memory.ContextLength} tokens of context (weights {ByteSize.Format(memory.WeightsBytes)}, KV cache {ByteSize.Format(memory.KvCacheBytes)} as {memory.KvCacheType.ToString().ToLowerInvariant()}/{memory.ValueCacheType.ToString().ToLowerInvariant()})");
        _console.Out.Write(details);

        if (allMetadata)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Key").AddColumn("Value");
            foreach ((string key, GgufValue value) in file.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(Summarize(value)));
            }

            _console.Out.Write(table);
        }

        return 0;
    }

    private static void AddRow(Grid grid, string label, string? value) =>
        grid.AddRow(new Markup($"[bold]{label}[/]"), new Text(value ?? "-"));

    private static string? Number(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture);

    private static string Summarize(GgufValue value)
    {
        string text = value.Type == GgufValueType.Array ? $"[{value.ElementType} x {value.Count}]" : value.ToString();
        return text.Length > LongValue ? text[..LongValue] + $"... ({text.Length} characters)" : text;
    }
}
