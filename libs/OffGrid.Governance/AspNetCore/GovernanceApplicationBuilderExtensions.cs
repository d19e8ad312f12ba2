using Microsoft.AspNetCore.Builder;

namespace OffGrid.Governance.AspNetCore;

/// <summary>Adds OffGrid governance to an ASP.NET Core request pipeline.</summary>
public static class GovernanceApplicationBuilderExtensions
{
    /// <summary>
    /// Adds authentication, the governance middleware (single-user loopback check, the caller of model calls, one audit entry
    /// per request) and authorization, in that order. Call after routing and before the endpoints; requires
    /// <c>AddOffGridGovernance</c> and <c>AddOffGridApiKeyAuthentication</c>.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The same application.</returns>
    public static IApplicationBuilder UseOffGridGovernance(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseMiddleware<GovernanceMiddleware>();
        app.UseAuthorization();
        return app;
    }
}
