using Microsoft.AspNetCore.Authorization;
using OffGrid.AspNetCore.Governance;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Users;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares who may call the endpoints of OffGrid's API groups when governance is on (<c>WithGovernance</c>).</summary>
public static class OffGridEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Requires an OffGrid API key on the endpoints of <paramref name="builder"/> (a group from <c>MapOpenAi</c>,
    /// <c>MapOllama</c> or <c>MapOffGrid</c>): the <c>user</c> role, or <c>admin</c> for operations that change the server
    /// for everyone (<c>/api/pull</c>, <c>/api/delete</c>, <c>/v1/benchmark</c>). Administrators pass every policy.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Needs the services of <c>WithGovernance</c> and the middleware of <c>UseOffGridGovernance</c>.</remarks>
    public static TBuilder RequireOffGridApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireOffGridRole(UserRole.User);

        // A finally convention sees the metadata each endpoint declared for itself after the group's conventions.
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequiredRole>().LastOrDefault() is { Role: not UserRole.User } required)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(OffGridEndpointAccess.GetPolicy(required.Role)));
            }
        });
        return builder;
    }
}
