using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.AspNetCore;

/// <summary>Declares and reads who may call an endpoint: public, any user, or administrators.</summary>
public static class OffGridEndpointAccess
{
    /// <summary>Requires a key of <paramref name="role"/> (or higher) on the endpoints of <paramref name="builder"/>.</summary>
    /// <typeparam name="TBuilder">The builder type (a route group or an endpoint).</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="role">The lowest role allowed.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireOffGridRole<TBuilder>(this TBuilder builder, UserRole role)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthorization(role == UserRole.Admin ? OffGridAuthenticationDefaults.AdminPolicy : OffGridAuthenticationDefaults.UserPolicy);
    }

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

    /// <summary>Reads the access an endpoint declares; the most specific declaration wins, as in ASP.NET Core authorization.</summary>
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

        return authorize.Any(a => a.Policy == OffGridAuthenticationDefaults.UserPolicy) ? EndpointAccess.User : EndpointAccess.Unclassified;
    }
}
