namespace OffGrid.Governance;

/// <summary>A value given to governance (a user name, a role, a quota, an expiry, a filter) is not acceptable.</summary>
public sealed class GovernanceArgumentException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="parameter">The name of the value, as the caller knows it (for example <c>name</c> or <c>expires</c>).</param>
    /// <param name="message">Why the value is not acceptable.</param>
    public GovernanceArgumentException(string parameter, string message)
        : base(message)
    {
        Parameter = parameter;
    }

    /// <summary>Gets the name of the value that was rejected.</summary>
    public string Parameter { get; }
}
