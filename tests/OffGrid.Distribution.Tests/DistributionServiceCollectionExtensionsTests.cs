using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Hub;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests;

public sealed class DistributionServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _home = TestPaths.NewTempDir("distribution-di");

    [Fact]
    public void ServicesResolveUnderTheHubsHomeFolder()
    {
        using ServiceProvider provider = new ServiceCollection().AddOffGridHub(o => o.HomeDirectory = _home).AddOffGridDistribution().BuildServiceProvider();

        DistributionOptions options = provider.GetRequiredService<IOptions<DistributionOptions>>().Value;
        Assert.Equal(_home, options.HomeDirectory);
        Assert.Equal(Path.Combine(_home, "trusted-publishers.json"), provider.GetRequiredService<TrustStore>().FilePath);
        Assert.Equal(Path.Combine(_home, "keys", "publisher.json"), options.GetPublisherKeyFile());
        Assert.NotNull(provider.GetRequiredService<PackageBuilder>());
        Assert.NotNull(provider.GetRequiredService<PackageImporter>());
        Assert.NotNull(provider.GetRequiredService<PeerNetwork>());
    }

    [Fact]
    public void InvalidOptionsFailValidation()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddOffGridHub(o => o.HomeDirectory = _home)
            .AddOffGridDistribution(o =>
            {
                o.DiscoveryTimeout = TimeSpan.Zero;
                o.PeerChunkSize = 10;
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DistributionOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("DiscoveryTimeout", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("PeerChunkSize", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
