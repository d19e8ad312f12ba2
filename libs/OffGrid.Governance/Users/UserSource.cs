namespace OffGrid.Governance.Users;

/// <summary>Where a user account comes from.</summary>
public enum UserSource
{
    /// <summary>Created in OffGrid (CLI or API); signs in with an OffGrid password or an API key.</summary>
    Local = 0,

    /// <summary>Created on first sign-in from LDAP / Active Directory; the directory owns its password and its role.</summary>
    Ldap = 1,
}
