using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Output;
using OffGrid.Governance.Quotas;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid usage</c>: model use per user and day, and a user's quota.</summary>
internal sealed class UsageCommand : Command
{
    private readonly CliConsole _console;
    private readonly GovernanceServices _governance;
    private readonly Option<string?> _user = new("--user") { Description = "Only this user, with their quota and what is left of it." };
    private readonly Option<int> _days = new Option<int>("--days") { Description = "How many UTC days back, today included; 7 by default.", DefaultValueFactory = _ => 7 }.Between(1, 3660);
    private readonly Option<bool> _json = new("--json") { Description = "Write the usage as JSON." };

    /// <summary>Creates the command.</summary>
    public UsageCommand(CliConsole console, GovernanceServices governance)
        : base("usage", CommandHelp.Describe(
            "Show requests, refusals and tokens per user and UTC day.",
            "offgrid usage",
            "offgrid usage --user bob --days 30",
            "offgrid usage --json"))
    {
        _console = console;
        _governance = governance;
        Add(_user);
        Add(_days);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        DateOnly today = DateOnly.FromDateTime(DateTime.UtcNow);
        string? user = parse.GetValue(_user);
        QuotaStatus? status = user is null ? null : await _governance.Quotas.GetStatusAsync(user, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<UsageSummary> rows = await _governance.Quotas.GetUsageAsync(status?.UserName, today.AddDays(1 - parse.GetValue(_days)), today, cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(new { Usage = rows, Quota = status });
            return 0;
        }

        if (rows.Count == 0)
        {
            _console.Out.WriteLine("No model use recorded in this period.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Day").AddColumn("User")
                .AddColumn("Requests", c => c.RightAligned()).AddColumn("Refused", c => c.RightAligned())
                .AddColumn("Input tokens", c => c.RightAligned()).AddColumn("Output tokens", c => c.RightAligned()).AddColumn("Total", c => c.RightAligned());
            foreach (UsageSummary row in rows)
            {
                table.AddRow(
                    row.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Markup.Escape(row.UserName), Number(row.Requests), Number(row.Rejected),
                    Number(row.InputTokens), Number(row.OutputTokens), Number(row.TotalTokens));
            }

            table.AddRow("total", string.Empty, Number(rows.Sum(r => r.Requests)), Number(rows.Sum(r => r.Rejected)),
                Number(rows.Sum(r => r.InputTokens)), Number(rows.Sum(r => r.OutputTokens)), Number(rows.Sum(r => r.TotalTokens)));
            _console.Out.Write(table);
        }

        if (status is not null)
        {
            QuotaLimits limits = status.Limits;
            string tokens = limits.TokensPerDay is { } perDay ? $"{Number(status.TokensToday)} of {Number(perDay)} tokens today (resets {status.TokensResetAt:yyyy-MM-dd HH:mm} UTC)" : "no daily token limit";
            string requests = limits.RequestsPerMinute is { } rpm ? $"{rpm} requests per minute" : "no request rate limit";
            string concurrent = limits.ConcurrentRequests is { } parallel ? $"{parallel} at a time" : "no concurrency limit";
            _console.Out.MarkupLineInterpolated($"Quota of '{status.UserName}': {tokens}; {requests}; {concurrent}.");
        }

        return 0;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
