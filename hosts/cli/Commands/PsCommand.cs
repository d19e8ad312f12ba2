using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OffGrid.Cli.Output;
using OffGrid.Cli.Server;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid ps</c>: the models a running OffGrid server holds loaded (its <c>GET /v1/pool</c>), as <c>ollama ps</c> lists Ollama's.</summary>
internal sealed class PsCommand : Command
{
    private readonly CliConsole _console;
    private readonly ServerSwitches _switches = new();
    private readonly Option<bool> _json = new("--json") { Description = "Write the server's answer (GET /v1/pool) as JSON." };

    /// <summary>Creates the command.</summary>
    public PsCommand(CliConsole console)
        : base("ps", CommandHelp.Describe(
            "List the models a running OffGrid server holds loaded: the names they serve, memory, context, requests, pins and when they unload " +
            "(with Server:Isolation=Process, those in its model worker). Manage them with 'offgrid pool'.",
            "offgrid ps",
            "offgrid ps --server http://10.0.0.5:11611 --api-key og_...",
            "offgrid ps --json"))
    {
        _console = console;
        _switches.AddTo(this);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using ServerConnection server = _switches.Connect(parse);
        JsonElement pool = await server.GetAsync("v1/pool", cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(pool);
            return 0;
        }

        JsonElement[] loaded = [.. pool.GetProperty("data").EnumerateArray()];
        if (loaded.Length == 0)
        {
            _console.Out.MarkupLineInterpolated($"No models are loaded on {server.Server}.");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Name").AddColumn("Memory", c => c.RightAligned()).AddColumn("Context", c => c.RightAligned())
            .AddColumn("Requests", c => c.RightAligned()).AddColumn("Until").AddColumn("File");
        foreach (JsonElement model in loaded)
        {
            string[] names = [.. model.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)];
            table.AddRow(
                Markup.Escape(names.Length > 0 ? string.Join(", ", names) : model.GetProperty("model").GetString()!),
                ByteSize.Format(model.GetProperty("estimated_bytes").GetInt64()),
                model.GetProperty("context_size").GetInt32().ToString(CultureInfo.InvariantCulture),
                model.GetProperty("active_leases").GetInt32().ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Until(model)),
                Markup.Escape(model.GetProperty("path").GetString()!));
        }

        _console.Out.Write(table);
        return 0;
    }

    /// <summary>When the model leaves memory: pinned, draining (a hot-swap replaced it), forever, or its local expiry time.</summary>
    private static string Until(JsonElement model) =>
        model.GetProperty("pinned").GetBoolean() ? "pinned"
        : model.GetProperty("draining").GetBoolean() ? "draining (swapped out)"
        : model.TryGetProperty("expires_at", out JsonElement expires) && expires.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(expires.GetInt64()).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "forever";
}
