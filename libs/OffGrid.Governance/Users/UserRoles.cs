namespace OffGrid.Governance.Users;

/// <summary>The text form of <see cref="UserRole"/> used in storage, claims, configuration, the CLI and the HTTP API: <c>admin</c>, <c>user</c>, <c>auditor</c>.</summary>
public static class UserRoles
{
    /// <summary>The name of <see cref="UserRole.Admin"/>.</summary>
    public const string Admin = "admin";

    /// <summary>The name of <see cref="UserRole.User"/>.</summary>
    public const string User = "user";

    /// <summary>The name of <see cref="UserRole.Auditor"/>.</summary>
    public const string Auditor = "auditor";

    /// <summary>The role names, for messages: <c>admin, user or auditor</c>.</summary>
    internal const string Choices = $"'{Admin}', '{User}' or '{Auditor}'";

    /// <summary>Gets the name of <paramref name="role"/>.</summary>
    /// <param name="role">The role.</param>
    /// <returns><c>admin</c>, <c>user</c> or <c>auditor</c>.</returns>
    public static string ToName(this UserRole role) => role switch
    {
        UserRole.Admin => Admin,
        UserRole.Auditor => Auditor,
        _ => User,
    };

    /// <summary>Parses a role name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The role.</returns>
    /// <exception cref="GovernanceArgumentException"><paramref name="name"/> is not a role name.</exception>
    public static UserRole Parse(string name) =>
        TryParse(name, out UserRole role) ? role : throw new GovernanceArgumentException("role", $"Unknown role '{name}': use {Choices}.");

    /// <summary>Parses a role name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="role">The role when the name is known.</param>
    /// <returns>Whether the name is a role.</returns>
    public static bool TryParse(string? name, out UserRole role)
    {
        role = UserRole.User;
        if (string.Equals(name, Admin, StringComparison.OrdinalIgnoreCase))
        {
            role = UserRole.Admin;
        }
        else if (string.Equals(name, Auditor, StringComparison.OrdinalIgnoreCase))
        {
            role = UserRole.Auditor;
        }
        else if (!string.Equals(name, User, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Which role wins when a directory user's groups map to several: admin, then auditor (an explicit compliance grant), then
    /// user. Higher wins.
    /// </summary>
    internal static int Precedence(this UserRole role) => role switch
    {
        UserRole.Admin => 2,
        UserRole.Auditor => 1,
        _ => 0,
    };
}
