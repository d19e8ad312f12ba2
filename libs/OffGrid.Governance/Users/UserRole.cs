namespace OffGrid.Governance.Users;

/// <summary>What a user may do on an OffGrid server. Roles are ordered: an administrator can do everything a user can.</summary>
public enum UserRole
{
    /// <summary>Chat, complete, embed and search with the models and collections the user is allowed.</summary>
    User = 0,

    /// <summary>Everything a user can, plus users, keys, quotas, model management and the audit log.</summary>
    Admin = 1,
}
