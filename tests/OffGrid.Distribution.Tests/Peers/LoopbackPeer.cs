using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Distribution.Tests.Packages;
using OffGrid.Hub;
using OffGrid.Hub.Store;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Peers;

/// <summary>One OffGrid machine for peer tests: a home with a store, peer settings and a trust store, and optionally its peer-sharing endpoints on real Kestrel at 127.0.0.1.</summary>
internal sealed class LoopbackPeer : IAsyncDisposable
{
    private WebApplication? _app;

    private LoopbackPeer(string name)
    {
        Name = name;
        Home = TestPaths.NewTempDir("peer-" + name);
        Options = new DistributionOptions { HomeDirectory = Home, DiscoveryTimeout = TimeSpan.FromMilliseconds(300) };
        Settings = new PeerSettingsStore(Options);
        Trust = new TrustStore(Options.GetTrustStoreFile());
        Store = PackageWorld.StoreIn(Home);
        Network = new PeerNetwork(Settings, Trust, Store, Options);
    }

    public string Name { get; }

    public string Home { get; }

    public DistributionOptions Options { get; }

    public PeerSettingsStore Settings { get; }

    public TrustStore Trust { get; }

    public ModelStore Store { get; }

    public PeerNetwork Network { get; }

    /// <summary>Gets the <c>host:port</c> its endpoints listen on (after <see cref="ServeAsync"/>).</summary>
    public string Address { get; private set; } = string.Empty;

    public static async Task<LoopbackPeer> CreateAsync(string name, NetworkSecret? secret, bool sharing)
    {
        var peer = new LoopbackPeer(name);
        if (secret is not null)
        {
            await peer.Settings.SaveSecretAsync(secret, TestContext.Current.CancellationToken);
        }

        await peer.Settings.UpdateAsync(s => s with { Name = name, Sharing = sharing }, TestContext.Current.CancellationToken);
        return peer;
    }

    /// <summary>Starts its peer-sharing endpoints on a free loopback port.</summary>
    public async Task ServeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddOffGridHub(o => o.HomeDirectory = Home).AddOffGridDistribution();
        _app = builder.Build();
        _app.MapOffGridPeerSharing();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var uri = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Address = $"127.0.0.1:{uri.Port}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Network.Dispose();
        Directory.Delete(Home, recursive: true);
    }
}
