using System.Globalization;
using Microsoft.Data.Sqlite;
using OffGrid.Governance.Storage;

namespace OffGrid.Governance.Quotas;

/// <summary>The <c>usage</c> table: per user and UTC day, calls admitted and refused and their tokens.</summary>
internal sealed class UsageLedger(GovernanceDatabase database)
{
    public async Task AddAsync(string userName, DateOnly day, long requests, long rejected, long inputTokens, long outputTokens)
    {
        using SqliteConnection connection = database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            """
            INSERT INTO usage(user_name, day, requests, rejected, input_tokens, output_tokens) VALUES ($user, $day, $requests, $rejected, $in, $out)
            ON CONFLICT(user_name, day) DO UPDATE SET requests = requests + excluded.requests, rejected = rejected + excluded.rejected,
                input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens
            """,
            ("$user", userName), ("$day", Format(day)), ("$requests", requests), ("$rejected", rejected), ("$in", inputTokens), ("$out", outputTokens));
        // Usage is recorded after the call ended; a caller that has gone away must not lose the record.
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<long> GetTokensAsync(string userName, DateOnly day, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection, "SELECT input_tokens + output_tokens FROM usage WHERE user_name = $user AND day = $day", ("$user", userName), ("$day", Format(day)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long tokens ? tokens : 0;
    }

    public async Task<IReadOnlyList<UsageSummary>> QueryAsync(string? userName, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            """
            SELECT user_name, day, requests, rejected, input_tokens, output_tokens FROM usage
            WHERE ($user IS NULL OR user_name = $user) AND ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
            ORDER BY day, user_name
            """,
            ("$user", userName), ("$from", from is { } f ? Format(f) : null), ("$to", to is { } t ? Format(t) : null));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<UsageSummary>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new UsageSummary
            {
                UserName = reader.GetString(0),
                Day = DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Requests = reader.GetInt64(2),
                Rejected = reader.GetInt64(3),
                InputTokens = reader.GetInt64(4),
                OutputTokens = reader.GetInt64(5),
            });
        }

        return rows;
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
