using OffGrid.Governance.Users;

namespace OffGrid.Governance.Ldap;

/// <summary>How OffGrid signs users in against LDAP or Active Directory and maps their groups to roles.</summary>
/// <remarks>
/// Active Directory: <c>UserFilter = "(&amp;(objectClass=user)(sAMAccountName={0}))"</c>, <c>UserNameAttribute = "sAMAccountName"</c>,
/// <c>GroupMembership = MatchingRuleInChain</c>, <c>DisabledFilter = "(userAccountControl:1.2.840.113556.1.4.803:=2)"</c>.
/// OpenLDAP with the ppolicy overlay: <c>DisabledFilter = "(pwdAccountLockedTime=*)"</c>.
/// </remarks>
public sealed class LdapOptions
{
    /// <summary>Gets or sets the server's host name or address.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>Gets or sets the port; 0 (the default) means 389, or 636 with <see cref="LdapSecurity.Ldaps"/>.</summary>
    public int Port { get; set; }

    /// <summary>Gets or sets how the connection is protected; StartTLS by default.</summary>
    public LdapSecurity Security { get; set; } = LdapSecurity.StartTls;

    /// <summary>
    /// Gets or sets a folder of trusted CA certificates (PEM files; libldap built on OpenSSL also needs their <c>c_rehash</c>
    /// hash names) for TLS, when the system store does not hold the directory's CA. Linux and macOS only.
    /// </summary>
    public string? TrustedCertificatesDirectory { get; set; }

    /// <summary>Gets or sets the DN of the service account used to search users and groups; anonymous search when <see langword="null"/>.</summary>
    public string? BindDn { get; set; }

    /// <summary>Gets or sets the service account's password.</summary>
    public string? BindPassword { get; set; }

    /// <summary>Gets or sets where users are searched (subtree), for example <c>ou=people,dc=example,dc=org</c>.</summary>
    public string UserSearchBase { get; set; } = string.Empty;

    /// <summary>Gets or sets the filter that finds a user; <c>{0}</c> is replaced by the escaped user name.</summary>
    public string UserFilter { get; set; } = "(&(objectClass=person)(uid={0}))";

    /// <summary>Gets or sets the attribute holding the user name; <c>uid</c> by default (<c>sAMAccountName</c> in AD).</summary>
    public string UserNameAttribute { get; set; } = "uid";

    /// <summary>Gets or sets the attribute holding the display name.</summary>
    public string DisplayNameAttribute { get; set; } = "cn";

    /// <summary>Gets or sets the attribute holding the e-mail address.</summary>
    public string EmailAttribute { get; set; } = "mail";

    /// <summary>Gets or sets a filter that matches a disabled user entry; <see langword="null"/> when the directory refuses their bind itself.</summary>
    public string? DisabledFilter { get; set; }

    /// <summary>Gets or sets where groups are searched (subtree); <see cref="UserSearchBase"/> when empty.</summary>
    public string GroupSearchBase { get; set; } = string.Empty;

    /// <summary>Gets or sets the filter that matches group entries.</summary>
    public string GroupFilter { get; set; } = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))";

    /// <summary>Gets or sets how group membership (nested included) is found.</summary>
    public LdapGroupMembership GroupMembership { get; set; } = LdapGroupMembership.Recursive;

    /// <summary>Gets or sets how many levels of nested groups <see cref="LdapGroupMembership.Recursive"/> follows; 10 by default.</summary>
    public int MaxNestingDepth { get; set; } = 10;

    /// <summary>
    /// Gets or sets the role each group gives, keyed by the group's DN or its common name (case-insensitive). A user gets the
    /// highest role among their groups.
    /// </summary>
    public IDictionary<string, UserRole> GroupRoles { get; set; } = new Dictionary<string, UserRole>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the role of a user in no mapped group; <see langword="null"/> (the default) refuses such users.</summary>
    public UserRole? DefaultRole { get; set; }

    /// <summary>Gets or sets the time allowed for each LDAP operation, the connection included; 10 seconds by default.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a user's groups are cached after a lookup; 5 minutes by default, zero to disable.</summary>
    public TimeSpan GroupCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the port in effect.</summary>
    public int EffectivePort => Port != 0 ? Port : Security == LdapSecurity.Ldaps ? 636 : 389;

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{nameof(Host)} must name the LDAP server.");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"{nameof(Port)} must be between 0 and 65535.");
        }

        if (!Enum.IsDefined(Security))
        {
            errors.Add($"{nameof(Security)} has an unknown value {Security}.");
        }

        if (!Enum.IsDefined(GroupMembership))
        {
            errors.Add($"{nameof(GroupMembership)} has an unknown value {GroupMembership}.");
        }

        if (string.IsNullOrWhiteSpace(UserSearchBase))
        {
            errors.Add($"{nameof(UserSearchBase)} must name where users are searched.");
        }

        if (!UserFilter.Contains("{0}", StringComparison.Ordinal) || !IsParenthesized(UserFilter))
        {
            errors.Add($"{nameof(UserFilter)} must be a parenthesized LDAP filter containing {{0}} for the user name.");
        }

        if (!IsParenthesized(GroupFilter))
        {
            errors.Add($"{nameof(GroupFilter)} must be a parenthesized LDAP filter.");
        }

        if (DisabledFilter is not null && !IsParenthesized(DisabledFilter))
        {
            errors.Add($"{nameof(DisabledFilter)} must be a parenthesized LDAP filter.");
        }

        if ((BindDn is null) != (BindPassword is null))
        {
            errors.Add($"{nameof(BindDn)} and {nameof(BindPassword)} must be set together.");
        }

        if (MaxNestingDepth < 1)
        {
            errors.Add($"{nameof(MaxNestingDepth)} must be at least 1.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Timeout)} must be positive.");
        }

        if (GroupCacheDuration < TimeSpan.Zero)
        {
            errors.Add($"{nameof(GroupCacheDuration)} must not be negative.");
        }

        if (GroupRoles is null)
        {
            errors.Add($"{nameof(GroupRoles)} must be set (it may be empty).");
        }

        return errors;
    }

    private static bool IsParenthesized(string? filter) => filter is { Length: > 2 } && filter[0] == '(' && filter[^1] == ')';
}
