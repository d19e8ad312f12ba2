namespace OffGrid.Governance.Ldap;

/// <summary>How the groups of a directory user, nested groups included, are found.</summary>
public enum LdapGroupMembership
{
    /// <summary>
    /// Search groups whose <c>member</c> or <c>uniqueMember</c> is the user, then groups containing those groups, level by level
    /// up to <see cref="LdapOptions.MaxNestingDepth"/>. Works with any server (OpenLDAP, 389-ds, Active Directory).
    /// </summary>
    Recursive = 0,

    /// <summary>
    /// One search with Active Directory's LDAP_MATCHING_RULE_IN_CHAIN (<c>member:1.2.840.113556.1.4.1941:=</c>): the domain
    /// controller resolves every level of nesting.
    /// </summary>
    MatchingRuleInChain = 1,

    /// <summary>The user's <c>memberOf</c> attribute (OpenLDAP's memberof overlay, AD): direct groups only.</summary>
    MemberOfAttribute = 2,
}
