namespace OffGrid.Governance.Audit;

/// <summary>Which entries to read or export; every set criterion must match.</summary>
public sealed record AuditFilter
{
    /// <summary>Gets the user (case-insensitive).</summary>
    public string? UserName { get; init; }

    /// <summary>Gets the earliest time, inclusive.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the latest time, exclusive.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the model (case-insensitive).</summary>
    public string? Model { get; init; }

    /// <summary>Gets the status code.</summary>
    public int? Status { get; init; }
}
