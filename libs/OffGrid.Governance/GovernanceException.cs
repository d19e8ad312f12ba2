namespace OffGrid.Governance;

/// <summary>
/// The base of the errors OffGrid governance raises for a caller's mistake or a policy decision (a quota reached, access
/// denied, a bad sign-in, an unknown user). Hosts map these, and only these, to client errors (HTTP 4xx, CLI exit 1).
/// </summary>
public abstract class GovernanceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence that can be shown to the caller.</param>
    protected GovernanceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">A sentence that can be shown to the caller.</param>
    /// <param name="innerException">The cause.</param>
    protected GovernanceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
