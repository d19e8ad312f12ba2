namespace OffGrid.Governance.Ldap;

/// <summary>How the connection to the LDAP server is protected.</summary>
public enum LdapSecurity
{
    /// <summary>Plain LDAP (port 389): passwords cross the network in clear. For loopback or tests only.</summary>
    None = 0,

    /// <summary>LDAP on port 389 upgraded with the StartTLS extended operation before any bind.</summary>
    StartTls = 1,

    /// <summary>LDAP over TLS from the first byte (LDAPS, port 636).</summary>
    Ldaps = 2,
}
