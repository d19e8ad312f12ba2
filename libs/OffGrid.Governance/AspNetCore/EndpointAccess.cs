namespace OffGrid.Governance.AspNetCore;

/// <summary>Who may call an endpoint, as declared by its metadata (see <see cref="OffGridEndpointAccess.Classify"/>).</summary>
public enum EndpointAccess
{
    /// <summary>The endpoint declares nothing; in multi-user mode the fallback policy still requires a user.</summary>
    Unclassified = 0,

    /// <summary>Anyone, without a key (<c>AllowAnonymous</c>).</summary>
    Public = 1,

    /// <summary>Users and administrators with a key (<see cref="OffGridAuthenticationDefaults.UserPolicy"/>).</summary>
    User = 2,

    /// <summary>Administrators only (<see cref="OffGridAuthenticationDefaults.AdminPolicy"/>).</summary>
    Admin = 3,

    /// <summary>Auditors and administrators (<see cref="OffGridAuthenticationDefaults.AuditorPolicy"/>).</summary>
    Auditor = 4,
}
