using OffGrid.Governance.Identity;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>Who an authenticated request comes from, and for whom it may act.</summary>
internal static class HttpCaller
{
    /// <summary>The signed-in user's name.</summary>
    /// <exception cref="AccessDeniedException">The request is not authenticated (an app that mapped the endpoints without governance).</exception>
    public static string Name(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : throw new AccessDeniedException(AccessDeniedReason.NoCaller, "This route needs an API key.");

    /// <summary>Whether the signed-in user is an administrator.</summary>
    public static bool IsAdmin(HttpContext http) => http.User.IsInRole(UserRoles.Admin);

    /// <summary>
    /// The user a request acts for: the caller, or <paramref name="requested"/> when the caller is an administrator or
    /// names itself.
    /// </summary>
    /// <exception cref="AccessDeniedException">A non-administrator named another user.</exception>
    public static string ActingFor(HttpContext http, string? requested)
    {
        string caller = Name(http);
        if (string.IsNullOrEmpty(requested) || string.Equals(requested, caller, StringComparison.OrdinalIgnoreCase))
        {
            return caller;
        }

        return IsAdmin(http)
            ? requested
            : throw new AccessDeniedException(AccessDeniedReason.RoleRequired, $"Only an administrator may act for another user ('{requested}').");
    }
}
