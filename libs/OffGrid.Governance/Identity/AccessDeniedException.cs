namespace OffGrid.Governance.Identity;

/// <summary>The caller may not do what it asked (HTTP 403; 401 when <see cref="Reason"/> is <see cref="AccessDeniedReason.NoCaller"/>).</summary>
public sealed class AccessDeniedException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why access was denied.</param>
    /// <param name="message">A sentence that can be shown to the caller.</param>
    public AccessDeniedException(AccessDeniedReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Gets why access was denied.</summary>
    public AccessDeniedReason Reason { get; }
}
