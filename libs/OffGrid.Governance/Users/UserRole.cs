namespace OffGrid.Governance.Users;

/// <summary>
/// What a user may do on an OffGrid server. An administrator may do everything; a user and an auditor have separate duties: a
/// user calls models, an auditor reads the audit log and calls no model.
/// </summary>
public enum UserRole
{
    /// <summary>Chat, complete, embed and search with the models and collections the user is allowed; manage their own API keys.</summary>
    User = 0,

    /// <summary>Everything: users, keys, quotas, model management, the audit log, and every model.</summary>
    Admin = 1,

    /// <summary>Exports and verifies the audit log; calls no model (separation of duties for compliance staff).</summary>
    Auditor = 2,
}
