using OffGrid.Governance.Users;

namespace OffGrid.Governance.Ldap;

/// <summary>A directory user who signed in: who they are, their groups (nested included) and the OffGrid role those give.</summary>
public sealed record LdapAccount
{
    /// <summary>Gets the user's distinguished name.</summary>
    public required string DistinguishedName { get; init; }

    /// <summary>Gets the user name (from <see cref="LdapOptions.UserNameAttribute"/>), which becomes the OffGrid user name.</summary>
    public required string UserName { get; init; }

    /// <summary>Gets the display name, when the directory has one.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Gets the e-mail address, when the directory has one.</summary>
    public string? Email { get; init; }

    /// <summary>Gets the distinguished names of every group the user is in, directly or through nesting.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Gets the OffGrid role from <see cref="LdapOptions.GroupRoles"/> (the highest of the user's groups) or <see cref="LdapOptions.DefaultRole"/>.</summary>
    public UserRole Role { get; init; }
}
