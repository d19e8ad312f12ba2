using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Peers;
using OffGrid.Distribution.Signing;
using OffGrid.Distribution.Tests.Packages;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Peers;

/// <summary>The peer protocol over real Kestrel on 127.0.0.1: a sharing machine and a downloading one, with and without the network secret.</summary>
public sealed class PeerSharingEndpointTests : IAsyncLifetime
{
    private const string Model = "ggml-org/stories260K";
    private readonly NetworkSecret _secret = NetworkSecret.Generate();
    private LoopbackPeer _sharer = null!;
    private LoopbackPeer _client = null!;
    private ModelManifest _shared = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sharer = await LoopbackPeer.CreateAsync("alice", _secret, sharing: true);
        _client = await LoopbackPeer.CreateAsync("dave", _secret, sharing: false);
        _shared = await _sharer.Store.ImportAsync(TestPaths.Stories260K, Model, copy: true, Ct);
        await _sharer.ServeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _sharer.DisposeAsync();
        await _client.DisposeAsync();
    }

    [Fact]
    public async Task APeerOfTheNetworkListsDownloadsAndStoresAVerifiedModel()
    {
        IReadOnlyList<PeerInfo> peers = await _client.Network.ResolveAsync(_sharer.Address, Ct);
        PeerInfo alice = Assert.Single(peers);
        Assert.Equal("alice", alice.Name);
        Assert.Equal(1, alice.ModelCount);

        PeerModel listed = Assert.Single(await _client.Network.GetModelsAsync(alice, Ct));
        Assert.Equal(Model, listed.Name);
        Assert.Equal(_shared.Files[0].Sha256, listed.Files[0].Sha256);
        Assert.Equal(_shared.SizeBytes, listed.SizeBytes);
        Assert.Equal(SignatureStatus.Unsigned, listed.Signature.Status);

        var progress = new RecordingProgress<PullProgress>();
        PeerDownloadResult download = await _client.Network.DownloadAsync(new PeerModelReference(_sharer.Address, Model), progress, Ct);

        Assert.Equal(Model, download.Model.Name);
        Assert.Equal(_shared.SizeBytes, download.BytesByPeer["alice"]);
        Assert.Equal(await File.ReadAllBytesAsync(TestPaths.Stories260K, Ct), await File.ReadAllBytesAsync(download.Model.PrimaryFilePath, Ct));
        Assert.Contains(progress.Reports, p => p.Status == PullStatus.Downloading);
        Assert.True((await _client.Store.VerifyAsync(Model, Ct)).IsValid);

        PeerDownloadResult again = await _client.Network.DownloadAsync(Model, peers, cancellationToken: Ct);
        Assert.Empty(again.BytesByPeer); // already stored
    }

    [Fact]
    public async Task RangesAndValidatorsWorkForResumes()
    {
        using var http = new HttpClient();
        var uri = new Uri($"http://{_sharer.Address}/peer/v1/files/{_shared.Files[0].Sha256}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = new RangeHeaderValue(100, 199);
        (string header, _) = PeerAuthentication.Sign(_secret, "GET", uri.PathAndQuery, DateTimeOffset.UtcNow);
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using HttpResponseMessage response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"\"{_shared.Files[0].Sha256}\"", response.Headers.ETag!.Tag);
        byte[] expected = (await File.ReadAllBytesAsync(TestPaths.Stories260K, Ct))[100..200];
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task WithoutTheSecretEveryRouteLooksAbsent()
    {
        using var http = new HttpClient();
        foreach (string path in new[] { "status", "models", "files/" + _shared.Files[0].Sha256 })
        {
            using HttpResponseMessage plain = await http.GetAsync($"http://{_sharer.Address}/peer/v1/{path}", Ct);
            Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
            Assert.Empty(await plain.Content.ReadAsByteArrayAsync(Ct));
        }

        await using LoopbackPeer outsider = await LoopbackPeer.CreateAsync("mallory", NetworkSecret.Generate(), sharing: false);
        var ex = await Assert.ThrowsAsync<PeerException>(() => outsider.Network.ResolveAsync(_sharer.Address, Ct));
        Assert.Contains("does not share with this network", ex.Message, StringComparison.Ordinal);

        await using LoopbackPeer noSecret = await LoopbackPeer.CreateAsync("eve", secret: null, sharing: false);
        var missing = await Assert.ThrowsAsync<PeerException>(() => noSecret.Network.DiscoverAsync(Ct));
        Assert.Contains("offgrid share on --generate-secret", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TurningSharingOffHidesTheMachineAtOnce()
    {
        Assert.Single(await _client.Network.ResolveAsync(_sharer.Address, Ct));

        await _sharer.Settings.UpdateAsync(s => s with { Sharing = false }, Ct);

        var ex = await Assert.ThrowsAsync<PeerException>(() => _client.Network.ResolveAsync(_sharer.Address, Ct));
        Assert.Contains("does not share with this network", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManualPeersThatDoNotAnswerAreReportedNotListed()
    {
        await _client.Settings.UpdateAsync(s => s with { ManualPeers = [_sharer.Address, "127.0.0.1:9"] }, Ct);

        PeerDiscoveryResult result = await _client.Network.DiscoverAsync(Ct);

        Assert.Equal("alice", Assert.Single(result.Peers).Name);
        Assert.Equal(PeerDiscoveryMethod.Manual, result.Peers[0].Discovery);
        UnreachablePeer down = Assert.Single(result.Unreachable);
        Assert.Equal("127.0.0.1:9", down.Address);
        Assert.Contains("unreachable", down.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATamperedFileIsRejectedAndNothingIsStored()
    {
        await using (FileStream file = File.Open(_shared.PrimaryFilePath, FileMode.Open, FileAccess.Write))
        {
            file.Position = 2048;
            file.Write(RandomNumberGenerator.GetBytes(16));
        }

        var ex = await Assert.ThrowsAsync<DownloadIntegrityException>(() => _client.Network.DownloadAsync(new PeerModelReference(_sharer.Address, Model), cancellationToken: Ct));

        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await _client.Store.ListAsync(Ct));
        // The writers' lock files (in .locks) stay; nothing else does.
        Assert.DoesNotContain(Directory.EnumerateFiles(_client.Store.RootDirectory, "*", SearchOption.AllDirectories), f => Path.GetFileName(Path.GetDirectoryName(f)) != ".locks");
    }

    [Fact]
    public async Task AModelFromASignedPackageIsListedWithItsPublisherAndJudgedByTheClientsTrust()
    {
        await using PackageWorld world = await PackageWorld.CreateAsync();
        PackageCreateResult package = await world.CreateAsync("signed", Ct);
        var importer = new PackageImporter(new PackageVerifier(new TrustStore(Path.Combine(world.Root, "trust.json"))), _sharer.Store, _sharer.Options);
        await new TrustStore(Path.Combine(world.Root, "trust.json")).TrustAsync(world.Key.PublicKey, cancellationToken: Ct);
        await importer.ImportAsync(package.Path, new PackageImportOptions { InstallRuntime = false }, cancellationToken: Ct);
        PeerInfo alice = Assert.Single(await _client.Network.ResolveAsync(_sharer.Address, Ct));

        PeerModel untrusted = Assert.Single(await _client.Network.GetModelsAsync(alice, Ct));
        Assert.Equal(SignatureStatus.UntrustedKey, untrusted.Signature.Status);
        Assert.Equal("Acme IT", untrusted.Signature.Publisher);

        await _client.Trust.TrustAsync(world.Key.PublicKey, cancellationToken: Ct);
        Assert.Equal(SignatureStatus.Trusted, Assert.Single(await _client.Network.GetModelsAsync(alice, Ct)).Signature.Status);
        PeerDownloadResult download = await _client.Network.DownloadAsync(Model, [alice], cancellationToken: Ct);
        Assert.Equal(SignatureStatus.Trusted, download.Signature.Status);
        Assert.True(File.Exists(Path.Combine(_client.Home, "provenance", download.Model.Files[0].Sha256 + ".json")), "the signature travels on with the model");

        await _client.Store.RemoveAsync(Model, Ct);
        await _client.Trust.RevokeAsync(world.Key.PublicKey.KeyId, Ct);
        Assert.Equal(SignatureStatus.RevokedKey, Assert.Single(await _client.Network.GetModelsAsync(alice, Ct)).Signature.Status);
        var refused = await Assert.ThrowsAsync<PeerException>(() => _client.Network.DownloadAsync(Model, [alice], cancellationToken: Ct));
        Assert.Contains("revoked", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await _client.Store.ListAsync(Ct));
    }

    [Fact]
    public async Task AModelTheSignatureDoesNotCoverIsMarkedInvalidAndNotDownloaded()
    {
        await using PackageWorld world = await PackageWorld.CreateAsync();
        PackageCreateResult package = await world.CreateAsync("signed", Ct);
        byte[] manifest = await File.ReadAllBytesAsync(Path.Combine(package.Path, PackageLayout.ManifestFile), Ct);
        byte[] signature = await File.ReadAllBytesAsync(Path.Combine(package.Path, PackageLayout.SignatureFile), Ct);
        ModelManifest other = await _sharer.Store.ImportAsync(Testing.Models.TestLlamaModels.Tiny, "acme/tiny", copy: true, Ct);
        await ModelProvenance.SaveAsync(_sharer.Home, other.Files[0].Sha256, new ModelProvenance(manifest, signature), Ct); // a valid signature, but for another model
        await _client.Trust.TrustAsync(world.Key.PublicKey, cancellationToken: Ct);
        PeerInfo alice = Assert.Single(await _client.Network.ResolveAsync(_sharer.Address, Ct));

        PeerModel listed = (await _client.Network.GetModelsAsync(alice, Ct)).Single(m => m.Name == "acme/tiny");

        Assert.Equal(SignatureStatus.Invalid, listed.Signature.Status);
        var ex = await Assert.ThrowsAsync<PeerException>(() => _client.Network.DownloadAsync("acme/tiny", [alice], cancellationToken: Ct));
        Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelNoPeerSharesNamesWhatTheyDoShare()
    {
        PeerInfo alice = Assert.Single(await _client.Network.ResolveAsync(_sharer.Address, Ct));

        var ex = await Assert.ThrowsAsync<PeerException>(() => _client.Network.DownloadAsync("acme/missing", [alice], cancellationToken: Ct));

        Assert.Contains("No peer among alice shares 'acme/missing'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Model, ex.Message, StringComparison.Ordinal);
    }
}
