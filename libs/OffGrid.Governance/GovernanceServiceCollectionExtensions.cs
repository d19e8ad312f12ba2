using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OffGrid governance in a service collection.</summary>
public static class GovernanceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="GovernanceOptions"/> (validated at start) and singletons of <see cref="UserDirectory"/>,
    /// <see cref="ApiKeyStore"/>, <see cref="QuotaService"/>, <see cref="AuditLog"/>, <see cref="FailedAttemptLockout"/>,
    /// <see cref="SignInService"/> and, when <see cref="GovernanceOptions.Ldap"/> is set, <see cref="LdapDirectory"/>; plus a
    /// hosted service that applies audit retention. Enough for an embedded app's <c>UseQuotas</c> and <c>UseAudit</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static IServiceCollection AddOffGridGovernance(this IServiceCollection services, Action<GovernanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<GovernanceOptions> options = services.AddOptions<GovernanceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GovernanceOptions>, GovernanceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(p => new UserDirectory(Options(p), p.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(p => new ApiKeyStore(Options(p), p.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(p => new QuotaService(Options(p), p.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(p => new AuditLog(Options(p), p.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(p => new FailedAttemptLockout(Options(p).Lockout, p.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(p => new LdapDirectory(
            Options(p).Ldap ?? throw new InvalidOperationException("No LDAP server is configured (GovernanceOptions.Ldap)."),
            p.GetService<ILogger<LdapDirectory>>()));
        services.TryAddSingleton(p => new SignInService(
            Options(p),
            p.GetRequiredService<FailedAttemptLockout>(),
            Options(p).Ldap is null ? null : p.GetRequiredService<LdapDirectory>(),
            p.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditRetentionService>());
        return services;
    }

    /// <summary>
    /// Adds the OffGrid API-key authentication scheme (the default scheme), the <see cref="OffGridAuthenticationDefaults.UserPolicy"/>,
    /// <see cref="OffGridAuthenticationDefaults.AdminPolicy"/> and <see cref="OffGridAuthenticationDefaults.AuditorPolicy"/> policies
    /// with the user policy as fallback (an endpoint that declares nothing still needs a key), and a start-up check of the server
    /// mode. Pair with <c>UseOffGridGovernance</c>.
    /// </summary>
    /// <param name="services">The service collection, with <see cref="AddOffGridGovernance"/> already called.</param>
    /// <param name="configure">Configures how errors are written.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddOffGridApiKeyAuthentication(this IServiceCollection services, Action<GovernanceHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<GovernanceHttpOptions> options = services.AddOptions<GovernanceHttpOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddAuthentication(OffGridAuthenticationDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(OffGridAuthenticationDefaults.Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(OffGridAuthenticationDefaults.UserPolicy, p => p.RequireAuthenticatedUser().RequireRole(UserRoles.User, UserRoles.Admin))
            .AddPolicy(OffGridAuthenticationDefaults.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(UserRoles.Admin))
            .AddPolicy(OffGridAuthenticationDefaults.AuditorPolicy, p => p.RequireAuthenticatedUser().RequireRole(UserRoles.Auditor, UserRoles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(OffGridAuthenticationDefaults.Scheme).RequireAuthenticatedUser().RequireRole(UserRoles.User, UserRoles.Admin).Build());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GovernanceStartup>());
        return services;
    }

    private static GovernanceOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<GovernanceOptions>>().Value;
}
