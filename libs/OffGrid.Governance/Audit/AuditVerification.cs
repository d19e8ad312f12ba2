namespace OffGrid.Governance.Audit;

/// <summary>The result of checking the audit chain.</summary>
public sealed record AuditVerification
{
    /// <summary>Gets whether no problem was found.</summary>
    public bool IsIntact => Problems.Count == 0;

    /// <summary>Gets how many stored entries were checked.</summary>
    public long EntriesChecked { get; init; }

    /// <summary>Gets the first sequence the chain should contain (1, or the retention anchor's).</summary>
    public long FirstSequence { get; init; }

    /// <summary>Gets the last sequence the chain should contain (0 when empty).</summary>
    public long LastSequence { get; init; }

    /// <summary>Gets the entries removed by retention before <see cref="FirstSequence"/>.</summary>
    public long RemovedByRetention { get; init; }

    /// <summary>Gets every problem found, in chain order.</summary>
    public IReadOnlyList<AuditProblem> Problems { get; init; } = [];
}
