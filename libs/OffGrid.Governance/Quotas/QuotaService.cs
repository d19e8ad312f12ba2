using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Storage;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Quotas;

/// <summary>
/// Quotas per role and per user (tokens per UTC day, requests per minute, concurrent requests), the admission of model calls
/// against them, and the per-day usage record. <see cref="QuotaChatClient"/> (<c>UseQuotas</c>) calls it for every model call.
/// </summary>
/// <remarks>
/// <para>
/// A user's own limits, when set, replace the role's limits as a whole. A call is admitted while the user is under every
/// limit; its tokens count when it ends, so the call that crosses the daily limit completes and the next one is refused.
/// </para>
/// <para>
/// Thread-safe. Limits and daily tokens are stored in <c>governance.db</c> and shared by every process; the per-minute and
/// concurrency counters live in this instance, so share one instance per process (a singleton in DI).
/// </para>
/// </remarks>
public sealed class QuotaService
{
    private readonly GovernanceDatabase _database;
    private readonly UserDirectory _users;
    private readonly UsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, QuotaCounters> _counters = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Opens the quotas of <paramref name="options"/>, creating the database when needed.</summary>
    /// <param name="options">Where the governance database lives.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public QuotaService(GovernanceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _users = new UserDirectory(options, timeProvider);
        _database = GovernanceSchema.Open(options);
        _ledger = new UsageLedger(_database);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Sets the limits of every user with <paramref name="role"/> who has no limits of their own.</summary>
    /// <param name="role">The role.</param>
    /// <param name="limits">The limits; <see cref="QuotaLimits.Unlimited"/> removes them.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="GovernanceArgumentException">A limit is not positive.</exception>
    public Task SetRoleLimitsAsync(UserRole role, QuotaLimits limits, CancellationToken cancellationToken = default) =>
        SaveAsync("role", role.ToName(), limits, cancellationToken);

    /// <summary>Sets a user's own limits, which replace the role's limits; <see langword="null"/> returns the user to the role's limits.</summary>
    /// <param name="userName">The user.</param>
    /// <param name="limits">The limits (<see cref="QuotaLimits.Unlimited"/> exempts the user), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    /// <exception cref="GovernanceArgumentException">A limit is not positive.</exception>
    public async Task SetUserLimitsAsync(string userName, QuotaLimits? limits, CancellationToken cancellationToken = default)
    {
        OffGridUser user = await _users.GetAsync(userName, cancellationToken).ConfigureAwait(false);
        await SaveAsync("user", user.Name, limits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the limits set for a role.</summary>
    /// <param name="role">The role.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The limits; <see cref="QuotaLimits.Unlimited"/> when none are set.</returns>
    public async Task<QuotaLimits> GetRoleLimitsAsync(UserRole role, CancellationToken cancellationToken = default) =>
        await LoadAsync("role", role.ToName(), cancellationToken).ConfigureAwait(false) ?? QuotaLimits.Unlimited;

    /// <summary>Gets a user's own limits.</summary>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The limits, or <see langword="null"/> when the role's limits apply.</returns>
    public Task<QuotaLimits?> GetUserLimitsAsync(string userName, CancellationToken cancellationToken = default) =>
        LoadAsync("user", userName, cancellationToken);

    /// <summary>Gets the limits in effect for a user: their own, else their role's.</summary>
    /// <param name="user">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The limits.</returns>
    public async Task<QuotaLimits> GetEffectiveLimitsAsync(OffGridUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await GetUserLimitsAsync(user.Name, cancellationToken).ConfigureAwait(false)
            ?? await GetRoleLimitsAsync(user.Role, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets a user's limits and what is left of them now.</summary>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The status.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public async Task<QuotaStatus> GetStatusAsync(string userName, CancellationToken cancellationToken = default)
    {
        OffGridUser user = await _users.GetAsync(userName, cancellationToken).ConfigureAwait(false);
        QuotaLimits limits = await GetEffectiveLimitsAsync(user, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
        (long _, int lastMinute, int active) = _counters.TryGetValue(user.Name, out QuotaCounters? counters) ? counters.Snapshot(now) : (0, 0, 0);
        return new QuotaStatus
        {
            UserName = user.Name,
            Limits = limits,
            TokensToday = await _ledger.GetTokensAsync(user.Name, today, cancellationToken).ConfigureAwait(false),
            RequestsLastMinute = lastMinute,
            ActiveRequests = active,
            TokensResetAt = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        };
    }

    /// <summary>Gets recorded usage per user and UTC day, ordered by day then user.</summary>
    /// <param name="userName">Only this user; everyone when <see langword="null"/>.</param>
    /// <param name="from">The first day, inclusive; unbounded when <see langword="null"/>.</param>
    /// <param name="to">The last day, inclusive; unbounded when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One row per user and day with any use.</returns>
    public Task<IReadOnlyList<UsageSummary>> GetUsageAsync(string? userName = null, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default) =>
        _ledger.QueryAsync(userName, from, to, cancellationToken);

    /// <summary>
    /// Admits a model call of <paramref name="caller"/> to <paramref name="model"/>: the user must exist, be enabled, be allowed the
    /// model (<see cref="AccessPolicy.CanUseModel(OffGridUser, string?)"/>) and be under every limit. A call inside a lease of the
    /// same user that the flow entered (<see cref="QuotaLease.Enter"/>) is checked against the daily token limit only.
    /// </summary>
    /// <param name="caller">Who calls.</param>
    /// <param name="model">The model called, when known.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lease of the call; dispose it when the call ends.</returns>
    /// <exception cref="AccessDeniedException">The user is unknown, disabled, or not allowed the model.</exception>
    /// <exception cref="QuotaExceededException">A limit is reached; carries when the call can succeed.</exception>
    public async Task<QuotaLease> AcquireAsync(Caller caller, string? model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        OffGridUser user = await _users.GetCallerAsync(caller, cancellationToken).ConfigureAwait(false);
        if (user.Role == UserRole.Auditor)
        {
            throw new AccessDeniedException(AccessDeniedReason.RoleRequired, $"'{user.Name}' is an auditor: auditors read the audit log and call no model.");
        }

        if (!AccessPolicy.CanUseModel(user, model))
        {
            throw new AccessDeniedException(AccessDeniedReason.ModelNotAllowed, $"User '{user.Name}' may not use the model '{model}'.");
        }

        QuotaLimits limits = await GetEffectiveLimitsAsync(user, cancellationToken).ConfigureAwait(false);
        QuotaCounters counters = _counters.GetOrAdd(user.Name, _ => new QuotaCounters());
        DateTimeOffset now = _time.GetUtcNow();
        DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
        if (!counters.HasDay(today))
        {
            counters.BeginDay(today, await _ledger.GetTokensAsync(user.Name, today, cancellationToken).ConfigureAwait(false));
        }

        bool nested = QuotaLease.Enclosing?.Counters == counters;
        if (counters.TryAdmit(user.Name, limits, now, nested) is { } refusal)
        {
            GovernanceTelemetry.QuotaRejections.Add(1, new KeyValuePair<string, object?>("quota", refusal.Kind.ToString()));
            await _ledger.AddAsync(user.Name, today, requests: 0, rejected: 1, 0, 0).ConfigureAwait(false);
            throw refusal;
        }

        return new QuotaLease(this, counters, user.Name, nested);
    }

    internal async Task ReleaseAsync(QuotaLease lease)
    {
        DateOnly day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        long input = lease.InputTokens, output = lease.OutputTokens;
        try
        {
            await _ledger.AddAsync(lease.UserName, day, requests: lease.IsNested ? 0 : 1, rejected: 0, input, output).ConfigureAwait(false);
        }
        finally
        {
            lease.Counters.Release(input + output, day, lease.IsNested);
        }
    }

    private async Task SaveAsync(string kind, string subject, QuotaLimits? limits, CancellationToken cancellationToken)
    {
        limits?.EnsureValid();
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = limits is null || (kind == "role" && limits.IsUnlimited)
            ? GovernanceDatabase.Command(connection, "DELETE FROM quotas WHERE subject_kind = $kind AND subject = $subject", ("$kind", kind), ("$subject", subject))
            : GovernanceDatabase.Command(
                connection,
                """
                INSERT INTO quotas(subject_kind, subject, tokens_per_day, requests_per_minute, concurrent_requests) VALUES ($kind, $subject, $tokens, $rpm, $concurrent)
                ON CONFLICT(subject_kind, subject) DO UPDATE SET tokens_per_day = excluded.tokens_per_day,
                    requests_per_minute = excluded.requests_per_minute, concurrent_requests = excluded.concurrent_requests
                """,
                ("$kind", kind), ("$subject", subject), ("$tokens", limits.TokensPerDay), ("$rpm", limits.RequestsPerMinute), ("$concurrent", limits.ConcurrentRequests));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<QuotaLimits?> LoadAsync(string kind, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            "SELECT tokens_per_day, requests_per_minute, concurrent_requests FROM quotas WHERE subject_kind = $kind AND subject = $subject",
            ("$kind", kind), ("$subject", subject));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new QuotaLimits
        {
            TokensPerDay = reader.IsDBNull(0) ? null : reader.GetInt64(0),
            RequestsPerMinute = reader.IsDBNull(1) ? null : reader.GetInt32(1),
            ConcurrentRequests = reader.IsDBNull(2) ? null : reader.GetInt32(2),
        };
    }
}
