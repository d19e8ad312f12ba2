namespace OffGrid.Governance.Users;

/// <summary>A user with the given name already exists (names are case-insensitive).</summary>
public sealed class UserExistsException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="userName">The name that is taken.</param>
    public UserExistsException(string userName)
        : base($"A user named '{userName}' already exists.")
    {
        UserName = userName;
    }

    /// <summary>Gets the name that is taken.</summary>
    public string UserName { get; }
}
