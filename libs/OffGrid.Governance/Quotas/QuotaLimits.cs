namespace OffGrid.Governance.Quotas;

/// <summary>The limits of a role or a user; <see langword="null"/> leaves that dimension unlimited.</summary>
public sealed record QuotaLimits
{
    /// <summary>Gets limits that limit nothing.</summary>
    public static QuotaLimits Unlimited { get; } = new();

    /// <summary>Gets the input plus output tokens allowed per UTC day (positive), or <see langword="null"/>.</summary>
    public long? TokensPerDay { get; init; }

    /// <summary>Gets the model calls allowed to start in any 60-second window (positive), or <see langword="null"/>.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the model calls allowed to run at once (positive), or <see langword="null"/>.</summary>
    public int? ConcurrentRequests { get; init; }

    /// <summary>Gets whether no dimension is limited.</summary>
    public bool IsUnlimited => TokensPerDay is null && RequestsPerMinute is null && ConcurrentRequests is null;

    /// <summary>Throws when a limit is zero or negative.</summary>
    /// <exception cref="GovernanceArgumentException">A limit is not positive.</exception>
    public void EnsureValid()
    {
        if (TokensPerDay <= 0 || RequestsPerMinute <= 0 || ConcurrentRequests <= 0)
        {
            throw new GovernanceArgumentException("limits", "Quota limits must be positive; leave a limit unset for no limit.");
        }
    }
}
