namespace OffGrid.Governance.Users;

/// <summary>No user has the given name.</summary>
public sealed class UnknownUserException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="userName">The name that was not found.</param>
    public UnknownUserException(string userName)
        : base($"There is no user '{userName}'.")
    {
        UserName = userName;
    }

    /// <summary>Gets the name that was not found.</summary>
    public string UserName { get; }
}
