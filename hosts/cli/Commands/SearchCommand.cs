using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid search [query]</c>: GGUF models on Hugging Face (or the mirror in <c>HF_ENDPOINT</c>).</summary>
internal sealed class SearchCommand : Command
{
    private static readonly Dictionary<string, ModelSortField> s_sortFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["downloads"] = ModelSortField.Downloads,
        ["likes"] = ModelSortField.Likes,
        ["modified"] = ModelSortField.LastModified,
        ["created"] = ModelSortField.CreatedAt,
    };

    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Argument<string?> _query = new Argument<string?>("query") { Description = "Text to look for in repository names.", Arity = ArgumentArity.ZeroOrOne }.RejectingOptions();
    private readonly Option<string?> _author = new("--author") { Description = "Only repositories of this user or organization." };
    private readonly Option<string?> _quant = new("--quant", "-q") { Description = "Only repositories offering this quantization (for example Q4_K_M)." };
    private readonly Option<string> _sort = new("--sort") { Description = "Sort by downloads, likes, modified or created.", DefaultValueFactory = _ => "downloads" };
    private readonly Option<int> _limit = new Option<int>("--limit", "-l") { Description = "The most results (1 to 1000).", DefaultValueFactory = _ => 20 }.Between(1, 1000);
    private readonly Option<string?> _minSize = new Option<string?>("--min-size") { Description = "Smallest variant size, for example 500MB." }.Must(SizeProblem);
    private readonly Option<string?> _maxSize = new Option<string?>("--max-size") { Description = "Largest variant size, for example 4GB." }.Must(SizeProblem);
    private readonly Option<bool> _json = new("--json") { Description = "Write the results as JSON." };

    /// <summary>Creates the command.</summary>
    public SearchCommand(CliConsole console, HubServices hub)
        : base("search", CommandHelp.Describe(
            "Search GGUF models on Hugging Face (or the mirror in HF_ENDPOINT). Results are cached and served from the cache when offline.",
            "offgrid search qwen",
            "offgrid search llama --quant Q4_K_M --max-size 4GB",
            "offgrid search --author bartowski --sort likes --limit 10 --json"))
    {
        _console = console;
        _hub = hub;
        _sort.AcceptOnlyFromAmong([.. s_sortFields.Keys]);
        Add(_query);
        Add(_author);
        Add(_quant);
        Add(_sort);
        Add(_limit);
        Add(_minSize);
        Add(_maxSize);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string? quant = parse.GetValue(_quant);
        var query = new ModelSearchQuery
        {
            Search = parse.GetValue(_query),
            Author = parse.GetValue(_author),
            Quantization = quant,
            Sort = s_sortFields[parse.GetRequiredValue(_sort)],
            Limit = parse.GetValue(_limit),
            MinSizeBytes = parse.GetValue(_minSize) is { } min ? ByteSize.Parse(min) : null,
            MaxSizeBytes = parse.GetValue(_maxSize) is { } max ? ByteSize.Parse(max) : null,
        };
        IReadOnlyList<HubModelSummary> models = await _hub.HuggingFace.SearchModelsAsync(query, cancellationToken).ConfigureAwait(false);
        var rows = models.Select(m => (Model: m, Best: _hub.Ranker.SelectBest(m.Variants, quant))).ToList();

        if (parse.GetValue(_json))
        {
            _console.WriteJson(rows.Select(r => new
            {
                r.Model.Id,
                r.Model.Downloads,
                r.Model.Likes,
                r.Model.LastModified,
                BestVariant = r.Best?.Quantization?.ToString() ?? r.Best?.Name,
                BestVariantSizeBytes = r.Best is { SizeBytes: > 0 } best ? best.SizeBytes : (long?)null,
                Variants = r.Model.Variants.Select(v => v.Quantization?.ToString() ?? v.Name),
                Command = PullCommandFor(r.Model, r.Best),
            }));
            return 0;
        }

        if (rows.Count == 0)
        {
            _console.Error.MarkupLine("No models match.");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Model").AddColumn("Downloads", c => c.RightAligned()).AddColumn("Likes", c => c.RightAligned())
            .AddColumn("Size", c => c.RightAligned()).AddColumn("Best variant").AddColumn("Download with");
        foreach ((HubModelSummary model, ModelVariant? best) in rows)
        {
            table.AddRow(
                Markup.Escape(model.Id),
                model.Downloads.ToString("N0", CultureInfo.InvariantCulture),
                model.Likes.ToString("N0", CultureInfo.InvariantCulture),
                best is { SizeBytes: > 0 } ? ByteSize.Format(best.SizeBytes) : "-",
                Markup.Escape(best?.Quantization?.ToString() ?? best?.Name ?? "-"),
                Markup.Escape(PullCommandFor(model, best)));
        }

        _console.Out.Write(table);
        return 0;
    }

    private static string? SizeProblem(string? text)
    {
        try
        {
            ByteSize.Parse(text ?? string.Empty);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static string PullCommandFor(HubModelSummary model, ModelVariant? best) =>
        "offgrid pull " + model.Id + (best?.Quantization is { } q ? ":" + q : string.Empty);
}
