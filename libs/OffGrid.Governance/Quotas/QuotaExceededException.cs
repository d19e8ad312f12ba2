using System.Globalization;

namespace OffGrid.Governance.Quotas;

/// <summary>A call was refused because the caller reached a quota (HTTP 429 with <c>Retry-After</c>).</summary>
public sealed class QuotaExceededException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="userName">The user whose quota was reached.</param>
    /// <param name="kind">Which limit was reached.</param>
    /// <param name="limit">The limit's value.</param>
    /// <param name="resetAt">When a call can succeed again (for concurrency: an estimate, since it depends on running calls).</param>
    /// <param name="now">The time of the refusal, from which <see cref="RetryAfter"/> is computed.</param>
    public QuotaExceededException(string userName, QuotaKind kind, long limit, DateTimeOffset resetAt, DateTimeOffset now)
        : base(Describe(userName, kind, limit, resetAt, now))
    {
        UserName = userName;
        Kind = kind;
        Limit = limit;
        ResetAt = resetAt;
        RetryAfter = resetAt > now ? resetAt - now : TimeSpan.Zero;
    }

    /// <summary>Gets the user whose quota was reached.</summary>
    public string UserName { get; }

    /// <summary>Gets which limit was reached.</summary>
    public QuotaKind Kind { get; }

    /// <summary>Gets the limit's value (tokens or requests).</summary>
    public long Limit { get; }

    /// <summary>Gets when a call can succeed again (UTC).</summary>
    public DateTimeOffset ResetAt { get; }

    /// <summary>Gets how long to wait from the refusal until <see cref="ResetAt"/>.</summary>
    public TimeSpan RetryAfter { get; }

    private static string Describe(string userName, QuotaKind kind, long limit, DateTimeOffset resetAt, DateTimeOffset now)
    {
        string what = kind switch
        {
            QuotaKind.TokensPerDay => $"{limit} tokens per day",
            QuotaKind.RequestsPerMinute => $"{limit} requests per minute",
            _ => $"{limit} concurrent requests",
        };
        TimeSpan wait = resetAt > now ? resetAt - now : TimeSpan.Zero;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"User '{userName}' reached the quota of {what}; retry after {resetAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (in {Math.Ceiling(wait.TotalSeconds)} s).");
    }
}
