namespace OffGrid.Governance.Quotas;

/// <summary>A user's limits in effect and what is left of them now.</summary>
public sealed record QuotaStatus
{
    /// <summary>Gets the user.</summary>
    public required string UserName { get; init; }

    /// <summary>Gets the limits in effect (the user's own, else the role's).</summary>
    public required QuotaLimits Limits { get; init; }

    /// <summary>Gets the tokens used today (UTC).</summary>
    public long TokensToday { get; init; }

    /// <summary>Gets the calls started in the last 60 seconds (in this process).</summary>
    public int RequestsLastMinute { get; init; }

    /// <summary>Gets the calls running now (in this process).</summary>
    public int ActiveRequests { get; init; }

    /// <summary>Gets when the daily token count starts again from zero.</summary>
    public DateTimeOffset TokensResetAt { get; init; }
}
