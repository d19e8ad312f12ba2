namespace OffGrid.Governance.ApiKeys;

/// <summary>Why a presented API key was refused.</summary>
public enum ApiKeyFailure
{
    /// <summary>Not an OffGrid key, no key has its id, or the secret does not match.</summary>
    Invalid = 0,

    /// <summary>The key has expired.</summary>
    Expired = 1,

    /// <summary>The key was revoked.</summary>
    Revoked = 2,

    /// <summary>The key's user is disabled.</summary>
    AccountDisabled = 3,
}
