using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Distribution;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Hub;

namespace OffGrid.Cli.Distribution;

/// <summary>
/// The distribution services a command needs (packages, publisher keys, peers), registered by
/// <c>AddOffGridHub</c> and <c>AddOffGridDistribution</c> for <c>OFFGRID_HOME</c>; created on first use.
/// </summary>
internal sealed class DistributionServices : IDisposable
{
    private readonly Lazy<ServiceProvider> _provider = new(() => new ServiceCollection().AddOffGridHub().AddOffGridDistribution().BuildServiceProvider());

    /// <summary>The distribution settings in effect (home folder, key and trust store files).</summary>
    public DistributionOptions Options => _provider.Value.GetRequiredService<IOptions<DistributionOptions>>().Value;

    /// <summary>The keys this machine trusts.</summary>
    public TrustStore Trust => _provider.Value.GetRequiredService<TrustStore>();

    /// <summary>Creates packages.</summary>
    public PackageBuilder Builder => _provider.Value.GetRequiredService<PackageBuilder>();

    /// <summary>Verifies packages.</summary>
    public PackageVerifier Verifier => _provider.Value.GetRequiredService<PackageVerifier>();

    /// <summary>Imports packages.</summary>
    public PackageImporter Importer => _provider.Value.GetRequiredService<PackageImporter>();

    /// <summary>Peer settings and the network secret.</summary>
    public PeerSettingsStore PeerSettings => _provider.Value.GetRequiredService<PeerSettingsStore>();

    /// <summary>The peers of this machine's network.</summary>
    public PeerNetwork Peers => _provider.Value.GetRequiredService<PeerNetwork>();

    /// <summary>Loads this machine's publisher key.</summary>
    /// <exception cref="PublisherKeyException">None was generated.</exception>
    public Task<PublisherKeyPair> LoadPublisherKeyAsync(CancellationToken cancellationToken) =>
        PublisherKeyPair.LoadAsync(Options.GetPublisherKeyFile(), cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_provider.IsValueCreated)
        {
            _provider.Value.Dispose();
        }
    }
}
