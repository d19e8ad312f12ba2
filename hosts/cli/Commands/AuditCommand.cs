using System.CommandLine;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Output;
using OffGrid.Governance.Audit;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid audit export|verify</c>: the tamper-evident audit log.</summary>
internal sealed class AuditCommand : Command
{
    /// <summary>Creates <c>offgrid audit</c> and its subcommands.</summary>
    public AuditCommand(CliConsole console, GovernanceServices governance)
        : base("audit", "Export and verify the audit log: who called which route and model, when, with how many tokens, and the outcome.")
    {
        Add(Export(console, governance));
        Add(Verify(console, governance));
    }

    private static Command Export(CliConsole console, GovernanceServices governance)
    {
        var format = new Option<AuditExportFormat?>("--format", "-f") { Description = "json, csv or xlsx; from the output file's extension, else json." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "The file to write; standard output when omitted." };
        var user = new Option<string?>("--user") { Description = "Only this user's entries." };
        Option<DateTimeOffset?> since = TimeInput.Option("--since", "Only entries at or after this time", direction: -1);
        Option<DateTimeOffset?> until = TimeInput.Option("--until", "Only entries before this time", direction: -1);
        var model = new Option<string?>("--model") { Description = "Only entries for this model." };
        var status = new Option<int?>("--status") { Description = "Only entries with this HTTP status (200, 401, 403, 429, 499, 500...)." }.Between(100, 599);
        var command = new Command("export", CommandHelp.Describe(
            "Export audit entries as JSON, CSV or an Excel workbook.",
            "offgrid audit export -o audit.xlsx --since 30d",
            "offgrid audit export --format csv --user bob --status 429 > refused.csv",
            "offgrid audit export --model llama3.2 --since 2026-01-01 --until 2026-02-01"))
        {
            format, output, user, since, until, model, status,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            FileInfo? file = parse.GetValue(output);
            AuditExportFormat chosen = parse.GetValue(format) ?? (file?.Extension.ToLowerInvariant()) switch
            {
                ".csv" => AuditExportFormat.Csv,
                ".xlsx" => AuditExportFormat.Xlsx,
                _ => AuditExportFormat.Json,
            };
            var filter = new AuditFilter
            {
                UserName = parse.GetValue(user),
                From = parse.GetValue(since),
                To = parse.GetValue(until),
                Model = parse.GetValue(model),
                Status = parse.GetValue(status),
            };
            if (file is null)
            {
                await using Stream stdout = Console.OpenStandardOutput();
                await governance.Audit.ExportAsync(stdout, chosen, filter, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            // Written beside the target and moved into place, so a failed export never leaves half a file.
            string temp = file.FullName + ".partial";
            long count;
            try
            {
                await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    count = await governance.Audit.ExportAsync(stream, chosen, filter, cancellationToken).ConfigureAwait(false);
                }

                File.Move(temp, file.FullName, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }

            console.Error.MarkupLineInterpolated($"Exported {count} entries to {file.FullName}.");
            return 0;
        });
        return command;
    }

    private static Command Verify(CliConsole console, GovernanceServices governance)
    {
        var json = new Option<bool>("--json") { Description = "Write the result as JSON." };
        var command = new Command("verify", CommandHelp.Describe(
            "Check that no audit entry was changed, deleted or reordered; exits with 1 and names each one otherwise.",
            "offgrid audit verify",
            "offgrid audit verify --json")) { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            AuditVerification result = await governance.Audit.VerifyAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(new { result.IsIntact, result.EntriesChecked, result.FirstSequence, result.LastSequence, result.RemovedByRetention, result.Problems });
            }
            else if (result.IsIntact && result.EntriesChecked == 0)
            {
                console.Out.WriteLine("The audit log is empty.");
            }
            else if (result.IsIntact)
            {
                string removed = result.RemovedByRetention > 0 ? $", after {result.RemovedByRetention} removed by retention" : string.Empty;
                console.Out.MarkupLineInterpolated($"The audit log is intact: {result.EntriesChecked} entries ({result.FirstSequence} to {result.LastSequence}{removed}).");
            }
            else
            {
                foreach (AuditProblem problem in result.Problems)
                {
                    console.Out.MarkupLineInterpolated($"{problem.Kind.ToString().ToLowerInvariant()}: {problem.Message}");
                }
            }

            if (result.IsIntact)
            {
                return 0;
            }

            FailureReporter.WriteLine(Console.Error, $"The audit log was altered: {result.Problems.Count} problem(s) in {result.EntriesChecked} entries.");
            return FailureReporter.Failed;
        });
        return command;
    }
}
