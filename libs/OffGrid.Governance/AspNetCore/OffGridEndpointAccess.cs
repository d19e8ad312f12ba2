using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.AspNetCore;

/// <summary>Declares and reads who may call an endpoint: public, users, auditors, or administrators.</summary>
public static class OffGridEndpointAccess
{
    /// <summary>Requires a key of <paramref name="role"/> or of an administrator on the endpoints of <paramref name="builder"/>.</summary>
    /// <typeparam name="TBuilder">The builder type (a route group or an endpoint).</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="role">The role allowed besides administrators.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireOffGridRole<TBuilder>(this TBuilder builder, UserRole role)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthorization(GetPolicy(role));
    }

    /// <summary>Gets the name of the authorization policy that admits <paramref name="role"/> and administrators.</summary>
    /// <param name="role">The role.</param>
    /// <returns>One of the policies of <see cref="OffGridAuthenticationDefaults"/>.</returns>
    public static string GetPolicy(UserRole role) => role switch
    {
        UserRole.Admin => OffGridAuthenticationDefaults.AdminPolicy,
        UserRole.Auditor => OffGridAuthenticationDefaults.AuditorPolicy,
        _ => OffGridAuthenticationDefaults.UserPolicy,
    };

    /// <summary>Makes the endpoints of <paramref name="builder"/> public: no key needed, in every mode.</summary>
    /// <typeparam name="TBuilder">The builder type (a route group or an endpoint).</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AllowAnonymous();
    }

    /// <summary>
    /// Reads the access an endpoint declares. Every policy of an endpoint must pass (as in ASP.NET Core authorization), so the
    /// narrowest one names it: admin, then auditor, then user.
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>Its access.</returns>
    public static EndpointAccess Classify(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return EndpointAccess.Public;
        }

        IReadOnlyList<IAuthorizeData> authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        if (authorize.Any(a => a.Policy == OffGridAuthenticationDefaults.AdminPolicy))
        {
            return EndpointAccess.Admin;
        }

        if (authorize.Any(a => a.Policy == OffGridAuthenticationDefaults.AuditorPolicy))
        {
            return EndpointAccess.Auditor;
        }

        return authorize.Any(a => a.Policy == OffGridAuthenticationDefaults.UserPolicy) ? EndpointAccess.User : EndpointAccess.Unclassified;
    }
}
