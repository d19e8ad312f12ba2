namespace OffGrid.Governance.Audit;

/// <summary>An operation that needs an intact chain (retention) found it altered; nothing was changed.</summary>
public sealed class AuditIntegrityException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problems">What verification found.</param>
    public AuditIntegrityException(IReadOnlyList<AuditProblem> problems)
        : base("The audit log was altered, so old entries are kept as evidence: " + string.Join(" ", (problems ?? []).Select(p => p.Message)))
    {
        Problems = problems ?? [];
    }

    /// <summary>Gets what verification found.</summary>
    public IReadOnlyList<AuditProblem> Problems { get; }
}
