using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Distribution;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Hub;
using OffGrid.Hub.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OffGrid distribution (offline packages, publisher keys, LAN peer sharing) in a service collection.</summary>
public static class DistributionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DistributionOptions"/> (validated at start; the home folder follows the Hub's), and singletons of
    /// <see cref="TrustStore"/>, <see cref="PackageVerifier"/>, <see cref="PackageBuilder"/>, <see cref="PackageImporter"/>,
    /// <see cref="PeerSettingsStore"/>, <see cref="PeerNetwork"/> and <see cref="PeerDownloads"/>, the services behind
    /// <see cref="Microsoft.AspNetCore.Builder.PeerSharingEndpointRouteBuilderExtensions.MapOffGridPeerSharing"/>, and a
    /// hosted service that answers DNS-SD queries while sharing is on. Needs <c>AddOffGridHub</c> for the model store.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static IServiceCollection AddOffGridDistribution(this IServiceCollection services, Action<DistributionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<DistributionOptions> options = services.AddOptions<DistributionOptions>()
            .Configure<IOptions<HubOptions>>((distribution, hub) => distribution.HomeDirectory = hub.Value.HomeDirectory);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DistributionOptions>, DistributionOptionsValidator>());
        services.TryAddSingleton(sp => new TrustStore(Options(sp).GetTrustStoreFile()));
        services.TryAddSingleton(sp => new PeerSettingsStore(Options(sp)));
        services.TryAddSingleton(sp => new PackageVerifier(sp.GetRequiredService<TrustStore>(), sp.GetService<ILogger<PackageVerifier>>()));
        services.TryAddSingleton(sp => new PackageBuilder(sp.GetRequiredService<ModelStore>(), logger: sp.GetService<ILogger<PackageBuilder>>()));
        services.TryAddSingleton(sp => new PackageImporter(sp.GetRequiredService<PackageVerifier>(), sp.GetRequiredService<ModelStore>(), Options(sp), sp.GetService<ILogger<PackageImporter>>()));
        services.TryAddSingleton(sp => new PeerNetwork(
            sp.GetRequiredService<PeerSettingsStore>(), sp.GetRequiredService<TrustStore>(), sp.GetRequiredService<ModelStore>(), Options(sp), sp.GetService<ILogger<PeerNetwork>>()));
        services.TryAddSingleton(sp => new PeerDownloads(sp.GetRequiredService<PeerNetwork>(), sp.GetService<ILogger<PeerDownloads>>()));
        services.TryAddSingleton(sp => new PeerSharingService(
            sp.GetRequiredService<PeerSettingsStore>(), sp.GetRequiredService<ModelStore>(), Options(sp), sp.GetService<ILogger<PeerSharingService>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PeerAdvertiser>());
        return services;
    }

    private static DistributionOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<DistributionOptions>>().Value;
}
