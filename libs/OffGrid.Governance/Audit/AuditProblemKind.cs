namespace OffGrid.Governance.Audit;

/// <summary>How an audit chain was found altered.</summary>
public enum AuditProblemKind
{
    /// <summary>An entry's content no longer matches its seal, or it no longer links to the entry before.</summary>
    Changed = 0,

    /// <summary>An entry is missing from the chain.</summary>
    Deleted = 1,

    /// <summary>An entry is stored out of its place in the chain.</summary>
    Reordered = 2,

    /// <summary>An entry appears twice, or precedes the retention anchor.</summary>
    Inserted = 3,
}
