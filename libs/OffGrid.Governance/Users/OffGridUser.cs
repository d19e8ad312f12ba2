namespace OffGrid.Governance.Users;

/// <summary>A user account: who may call OffGrid, with which role, and which models and knowledge collections.</summary>
/// <remarks>Immutable; read it again from the <see cref="UserDirectory"/> to see changes.</remarks>
public sealed record OffGridUser
{
    /// <summary>Gets the unique, case-insensitive user name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, <c>@</c>; at most 128 characters).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the role.</summary>
    public required UserRole Role { get; init; }

    /// <summary>Gets where the account comes from.</summary>
    public UserSource Source { get; init; }

    /// <summary>Gets whether the account is disabled: its keys and sign-ins are refused.</summary>
    public bool IsDisabled { get; init; }

    /// <summary>Gets whether the account has a local password (LDAP accounts never do).</summary>
    public bool HasPassword { get; init; }

    /// <summary>Gets the display name (from LDAP, or set locally).</summary>
    public string? DisplayName { get; init; }

    /// <summary>Gets the e-mail address (from LDAP, or set locally).</summary>
    public string? Email { get; init; }

    /// <summary>
    /// Gets the models the user may call, by name or with a trailing <c>*</c> (<c>qwen*</c>); empty means every model.
    /// Administrators may call every model regardless.
    /// </summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>Gets the knowledge collections the user may search or change, with the same rules as <see cref="AllowedModels"/>.</summary>
    public IReadOnlyList<string> AllowedCollections { get; init; } = [];

    /// <summary>Gets when the account was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
