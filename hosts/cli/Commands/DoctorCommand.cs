using System.CommandLine;
using OffGrid.Cli.Diagnostics;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid doctor</c>: what this machine offers and whether OffGrid can work on it.</summary>
internal sealed class DoctorCommand : Command
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Option<Uri> _server = ServerSwitches.Address("The OffGrid server address to check.");
    private readonly Option<bool> _json = new("--json") { Description = "Write the findings as JSON." };

    /// <summary>Creates the command.</summary>
    public DoctorCommand(CliConsole console, HubServices hub)
        : base("doctor", CommandHelp.Describe(
            "Check this machine: OS, CPU features, memory, GPU, the llama.cpp runtime, writable folders, the Hub endpoint and a running server; suggest models that fit.",
            "offgrid doctor",
            "offgrid doctor --json",
            "offgrid doctor --server http://10.0.0.5:11611"))
    {
        _console = console;
        _hub = hub;
        Add(_server);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        IReadOnlyList<DoctorFinding> findings = await new MachineDiagnostics(_hub.Options).RunAsync(parse.GetRequiredValue(_server), cancellationToken).ConfigureAwait(false);
        int exitCode = findings.Any(f => f.Status == FindingStatus.Problem) ? FailureReporter.Failed : 0;
        if (parse.GetValue(_json))
        {
            _console.WriteJson(findings);
            return exitCode;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Check").AddColumn("Result");
        foreach (DoctorFinding finding in findings)
        {
            string color = finding.Status switch { FindingStatus.Problem => "red", FindingStatus.Warning => "yellow", _ => "green" };
            table.AddRow(new Markup($"[{color}]{Markup.Escape(finding.Check)}[/]"), new Text(finding.Result));
        }

        _console.Out.Write(table);
        return exitCode;
    }
}
