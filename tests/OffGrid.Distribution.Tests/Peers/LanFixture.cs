using OffGrid.Cli.Tests;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Distribution.Tests.Packages;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Models;
using OffGrid.Testing.Network;

namespace OffGrid.Distribution.Tests.Peers;

/// <summary>
/// Three OffGrid machines on an isolated LAN of network namespaces, each running <c>offgrid share serve</c>: alice and
/// bob share with network secret S (alice: stories260K, a signed copy of it, a 48 MiB model; bob: the same 48 MiB
/// model and a model whose stored file was tampered with after import), carol shares with another secret. A fourth
/// namespace, dave's, runs the commands under test with secret S.
/// </summary>
public sealed class LanFixture : IAsyncLifetime
{
    public const string Small = "ggml-org/stories260K";
    public const string Signed = "acme/stories-signed";
    public const string Big = "acme/transfer-48m";
    public const string Tampered = "acme/tampered";

    private readonly Dictionary<string, OffGridCli> _homes = [];
    private readonly Dictionary<string, CliProcess> _servers = [];
    private PackageWorld? _world;

    /// <summary>Gets why the LAN could not be built here, or null.</summary>
    public string? Unavailable { get; private set; }

    internal IsolatedLan Lan { get; private set; } = null!;

    public NetworkSecret Secret { get; } = NetworkSecret.Generate();

    public string SecretFile { get; } = Path.Combine(TestPaths.NewTempDir("lan-secret"), "network.secret");

    public PublisherKey Publisher => _world!.Key.PublicKey;

    public ModelManifest BigModel { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if ((Unavailable = IsolatedLan.UnavailableReason()) is not null)
        {
            return;
        }

        await File.WriteAllTextAsync(SecretFile, Secret.Reveal());
        Lan = await IsolatedLan.CreateAsync("a", "b", "c", "d");
        NetworkSecret other = NetworkSecret.Generate();
        OffGridCli alice = await MachineAsync("a", "alice", Secret);
        OffGridCli bob = await MachineAsync("b", "bob", Secret);
        OffGridCli carol = await MachineAsync("c", "carol", other);

        ModelStore aliceStore = PackageWorld.StoreIn(alice.Home);
        ModelStore bobStore = PackageWorld.StoreIn(bob.Home);
        await aliceStore.ImportAsync(TestPaths.Stories260K, Small, copy: true);
        await PackageWorld.StoreIn(carol.Home).ImportAsync(TestPaths.Stories260K, "carol/secret-model", copy: true);
        string big = TransferModels.Get(48);
        BigModel = await aliceStore.ImportAsync(big, Big, copy: true);
        await bobStore.ImportAsync(big, Big, copy: true);
        ModelManifest tampered = await bobStore.ImportAsync(TestLlamaModels.Tiny, Tampered, copy: true);
        await using (FileStream file = File.Open(tampered.PrimaryFilePath, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length / 2;
            file.WriteByte(0x5A);
            file.WriteByte(0xA5);
        }

        // A model alice got from a signed package keeps its publisher's signature when shared.
        _world = await PackageWorld.CreateAsync();
        await _world.SourceStore.ImportAsync(TestPaths.Stories260K, Signed, copy: true);
        PackageCreateResult package = await _world.Builder.CreateAsync(new PackageCreateRequest { OutputPath = Path.Combine(_world.Root, "signed"), Models = [Signed], Signer = _world.Key });
        var aliceOptions = new DistributionOptions { HomeDirectory = alice.Home };
        var trust = new TrustStore(aliceOptions.GetTrustStoreFile());
        await trust.TrustAsync(_world.Key.PublicKey);
        await new PackageImporter(new PackageVerifier(trust), aliceStore, aliceOptions).ImportAsync(package.Path, new PackageImportOptions { InstallRuntime = false });

        foreach (string host in new[] { "a", "b", "c" })
        {
            await StartServerAsync(host);
        }
    }

    /// <summary>A fresh client home in dave's namespace that knows the network secret.</summary>
    internal async Task<OffGridCli> ClientAsync()
    {
        var cli = new OffGridCli { NetworkNamespace = Lan.Namespace("d"), Timeout = TimeSpan.FromMinutes(3) };
        (await cli.RunAsync("share", "off", "--secret-file", SecretFile, "--name", "dave")).AssertSuccess();
        return cli;
    }

    /// <summary>A client home in the namespace of <paramref name="host"/> (for carol's view of the LAN).</summary>
    internal OffGridCli HomeOf(string host) => _homes[host];

    /// <summary>Gets what a machine's sharing server has logged (the console logger writes to standard output).</summary>
    public string ServerLog(string host) => _servers[host].Stdout;

    public async Task KillServerAsync(string host)
    {
        await _servers[host].KillAsync();
        _servers[host].Dispose();
        _servers.Remove(host);
    }

    public async Task StartServerAsync(string host)
    {
        CliProcess server = await _homes[host].StartAsync("share", "serve");
        _servers[host] = server;
        await server.WaitForErrorAsync(e => e.Contains("Ctrl+C stops", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (CliProcess server in _servers.Values)
        {
            server.Dispose();
        }

        foreach (OffGridCli home in _homes.Values)
        {
            home.Dispose();
        }

        if (Lan is not null)
        {
            await Lan.DisposeAsync();
        }

        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        Directory.Delete(Path.GetDirectoryName(SecretFile)!, recursive: true);
    }

    private async Task<OffGridCli> MachineAsync(string host, string name, NetworkSecret secret)
    {
        var cli = new OffGridCli { NetworkNamespace = Lan.Namespace(host), Timeout = TimeSpan.FromMinutes(10) };
        _homes[host] = cli;
        string secretFile = Path.Combine(cli.Home, "incoming.secret");
        Directory.CreateDirectory(cli.Home);
        await File.WriteAllTextAsync(secretFile, secret.Reveal());
        (await cli.RunAsync("share", "on", "--secret-file", secretFile, "--name", name)).AssertSuccess();
        return cli;
    }
}
