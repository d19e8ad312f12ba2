namespace OffGrid.Governance.Identity;

/// <summary>Why a call was refused by <see cref="AccessDeniedException"/>.</summary>
public enum AccessDeniedReason
{
    /// <summary>The call named no caller (no API key, no <see cref="CallerContext"/>).</summary>
    NoCaller = 0,

    /// <summary>The caller names a user that does not exist.</summary>
    UnknownUser = 1,

    /// <summary>The user's account is disabled.</summary>
    AccountDisabled = 2,

    /// <summary>The user may not use the requested model.</summary>
    ModelNotAllowed = 3,

    /// <summary>The user may not use the requested knowledge collection.</summary>
    CollectionNotAllowed = 4,

    /// <summary>The operation needs a higher role.</summary>
    RoleRequired = 5,
}
