namespace OffGrid.Governance.ApiKeys;

/// <summary>Whether an API key is accepted.</summary>
public enum ApiKeyStatus
{
    /// <summary>Accepted (while its user is enabled).</summary>
    Active = 0,

    /// <summary>Past its expiry time.</summary>
    Expired = 1,

    /// <summary>Revoked by an administrator or its owner.</summary>
    Revoked = 2,
}
