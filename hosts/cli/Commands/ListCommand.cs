using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Models;
using OffGrid.Cli.Diagnostics;
using OffGrid.Cli.Output;
using OffGrid.Hub.Store;
using OffGrid.Inference.Runtime;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid list</c>: the models in the local store.</summary>
internal sealed class ListCommand : Command
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Option<bool> _json = new("--json") { Description = "Write the list as JSON." };

    /// <summary>Creates the command.</summary>
    public ListCommand(CliConsole console, HubServices hub)
        : base("list", CommandHelp.Describe("List the models on this machine.", "offgrid list", "offgrid list --json"))
    {
        _console = console;
        _hub = hub;
        Aliases.Add("ls");
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelManifest> models = await _hub.Store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(models.Select(ModelListing.From));
            return 0;
        }

        if (models.Count == 0)
        {
            HardwareInfo hardware = HardwareProbe.Probe();
            string starter = HubProbe.StartersFor(hardware)[0].Name;
            _console.Out.MarkupLineInterpolated($"No models yet in {_hub.Store.RootDirectory}.");
            HubProbe hub = await HubProbe.ProbeAsync(_hub.Options.HuggingFace.Endpoint, cancellationToken).ConfigureAwait(false);
            if (hub.Reachable)
            {
                _console.Out.MarkupLineInterpolated($"For this machine ({HubProbe.Describe(hardware)}), try: [bold]offgrid run {starter}[/]");
            }
            else
            {
                _console.Out.MarkupLineInterpolated($"This machine cannot reach {hub.Endpoint.Authority} ({hub.Detail}), so nothing can be downloaded. Run a .gguf file you copied here ([bold]offgrid run ./model.gguf[/]), import it ([bold]offgrid pull ./model.gguf[/]), or set HF_ENDPOINT to a reachable mirror.");
                _console.Out.MarkupLineInterpolated($"Where a download works, {starter} suits this machine ({HubProbe.Describe(hardware)}).");
            }

            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Name").AddColumn("Quant").AddColumn("Size", c => c.RightAligned()).AddColumn("Parameters", c => c.RightAligned())
            .AddColumn("Context", c => c.RightAligned()).AddColumn("Added");
        foreach (ModelManifest model in models)
        {
            table.AddRow(
                Markup.Escape(model.Name),
                Markup.Escape(model.Quantization ?? "-"),
                ByteSize.Format(model.SizeBytes),
                FormatParameters(model.ParameterCount),
                model.ContextLength?.ToString(CultureInfo.InvariantCulture) ?? "-",
                model.DownloadedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        _console.Out.Write(table);
        return 0;
    }

    /// <summary>Formats a parameter count the way model cards do: <c>3.2B</c>, <c>494M</c>.</summary>
    public static string FormatParameters(long count) => count switch
    {
        <= 0 => "-",
        >= 1_000_000_000 => (count / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString("0", CultureInfo.InvariantCulture) + "M",
        _ => (count / 1e3).ToString("0", CultureInfo.InvariantCulture) + "K",
    };
}
