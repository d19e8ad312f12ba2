namespace OffGrid.Governance.Users;

/// <summary>The text form of <see cref="UserRole"/> used in storage, claims, configuration, the CLI and the HTTP API: <c>admin</c>, <c>user</c>.</summary>
public static class UserRoles
{
    /// <summary>The name of <see cref="UserRole.Admin"/>.</summary>
    public const string Admin = "admin";

    /// <summary>The name of <see cref="UserRole.User"/>.</summary>
    public const string User = "user";

    /// <summary>Gets the name of <paramref name="role"/>.</summary>
    /// <param name="role">The role.</param>
    /// <returns><c>admin</c> or <c>user</c>.</returns>
    public static string ToName(this UserRole role) => role == UserRole.Admin ? Admin : User;

    /// <summary>Parses a role name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The role.</returns>
    /// <exception cref="GovernanceArgumentException"><paramref name="name"/> is neither <c>admin</c> nor <c>user</c>.</exception>
    public static UserRole Parse(string name) =>
        TryParse(name, out UserRole role) ? role : throw new GovernanceArgumentException("role", $"Unknown role '{name}': use '{Admin}' or '{User}'.");

    /// <summary>Parses a role name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="role">The role when the name is known.</param>
    /// <returns>Whether the name is a role.</returns>
    public static bool TryParse(string? name, out UserRole role)
    {
        if (string.Equals(name, Admin, StringComparison.OrdinalIgnoreCase))
        {
            role = UserRole.Admin;
            return true;
        }

        role = UserRole.User;
        return string.Equals(name, User, StringComparison.OrdinalIgnoreCase);
    }
}
