using OffGrid.Governance.Users;

namespace OffGrid.Governance.ApiKeys;

/// <summary>The outcome of checking a presented API key: the user and key when accepted, else why not.</summary>
public sealed record ApiKeyValidation
{
    /// <summary>Gets whether the key was accepted.</summary>
    public bool IsValid => Failure is null;

    /// <summary>Gets why the key was refused; <see langword="null"/> when accepted.</summary>
    public ApiKeyFailure? Failure { get; init; }

    /// <summary>Gets the key's owner when the key was accepted.</summary>
    public OffGridUser? User { get; init; }

    /// <summary>Gets the key when its id is known (accepted, expired, revoked or its user disabled).</summary>
    public ApiKeyInfo? Key { get; init; }
}
