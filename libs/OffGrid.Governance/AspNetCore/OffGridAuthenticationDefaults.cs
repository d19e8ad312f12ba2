namespace OffGrid.Governance.AspNetCore;

/// <summary>Names of the OffGrid authentication scheme, authorization policies and claims.</summary>
public static class OffGridAuthenticationDefaults
{
    /// <summary>The authentication scheme: an API key in <c>Authorization: Bearer</c> or <c>x-api-key</c>.</summary>
    public const string Scheme = "OffGrid";

    /// <summary>The policy of routes that call models or manage one's own keys (role <c>user</c> or <c>admin</c>).</summary>
    public const string UserPolicy = "OffGrid.User";

    /// <summary>The policy of routes for administrators only.</summary>
    public const string AdminPolicy = "OffGrid.Admin";

    /// <summary>The policy of routes for auditors and administrators (the audit log).</summary>
    public const string AuditorPolicy = "OffGrid.Auditor";

    /// <summary>The claim holding the visible id of the API key a request came with.</summary>
    public const string KeyIdClaim = "offgrid:key_id";

    /// <summary>The header that carries an API key when <c>Authorization</c> is used for something else.</summary>
    public const string ApiKeyHeader = "x-api-key";
}
