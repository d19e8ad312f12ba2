namespace OffGrid.Governance;

/// <summary>Whether an OffGrid server serves one person on this machine or several users with API keys.</summary>
public enum GovernanceMode
{
    /// <summary>No API keys: every request is the local administrator, and only loopback connections are accepted.</summary>
    SingleUser = 0,

    /// <summary>Every non-public route requires an API key; roles, quotas and permissions apply per user.</summary>
    MultiUser = 1,
}
