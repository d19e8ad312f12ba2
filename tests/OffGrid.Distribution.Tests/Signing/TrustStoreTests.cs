using OffGrid.Distribution.Signing;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Signing;

public sealed class TrustStoreTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("trust");
    private readonly PublisherKeyPair _acme = PublisherKeyPair.Generate("Acme IT");
    private readonly PublisherKeyPair _beta = PublisherKeyPair.Generate("Beta Labs");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StorePath => Path.Combine(_dir, "trusted-publishers.json");

    [Fact]
    public async Task TrustedKeysPersistAndCanBeFoundAndRemoved()
    {
        var store = new TrustStore(StorePath);
        await store.TrustAsync(_acme.PublicKey, cancellationToken: Ct);
        await store.TrustAsync(_beta.PublicKey, cancellationToken: Ct);

        var reopened = new TrustStore(StorePath);
        IReadOnlyList<TrustedPublisher> all = await reopened.ListAsync(Ct);
        Assert.Equal(["Acme IT", "Beta Labs"], all.Select(p => p.Key.Name));
        Assert.Equal(_acme.PublicKey, (await reopened.FindAsync(_acme.PublicKey.KeyId, Ct))!.Key);

        TrustedPublisher removed = await reopened.RemoveAsync("beta labs", Ct);
        Assert.Equal(_beta.PublicKey, removed.Key);
        Assert.Null(await reopened.FindAsync(_beta.PublicKey.KeyId, Ct));
    }

    [Fact]
    public async Task RevokedKeysStayRefusedUntilForced()
    {
        var store = new TrustStore(StorePath);
        await store.TrustAsync(_acme.PublicKey, cancellationToken: Ct);

        TrustedPublisher revoked = await store.RevokeAsync(_acme.PublicKey.KeyId[..10], Ct);
        Assert.True(revoked.IsRevoked);

        var ex = await Assert.ThrowsAsync<PublisherKeyException>(() => store.TrustAsync(_acme.PublicKey, cancellationToken: Ct));
        Assert.Contains("revoked", ex.Message, StringComparison.Ordinal);
        Assert.True((await store.FindAsync(_acme.PublicKey.KeyId, Ct))!.IsRevoked);

        TrustedPublisher again = await store.TrustAsync(_acme.PublicKey, overrideRevocation: true, Ct);
        Assert.False(again.IsRevoked);
    }

    [Fact]
    public async Task AKeyNeverTrustedCanBeRevokedAhead()
    {
        var store = new TrustStore(StorePath);

        await store.RevokeAsync(_beta.PublicKey, Ct);

        TrustedPublisher entry = Assert.Single(await store.ListAsync(Ct));
        Assert.True(entry.IsRevoked);
        await Assert.ThrowsAsync<PublisherKeyException>(() => store.TrustAsync(_beta.PublicKey, cancellationToken: Ct));
    }

    [Fact]
    public async Task UnknownAndAmbiguousNamesAreRefused()
    {
        var store = new TrustStore(StorePath);
        using PublisherKeyPair twin = PublisherKeyPair.Generate("Acme IT");
        await store.TrustAsync(_acme.PublicKey, cancellationToken: Ct);
        await store.TrustAsync(twin.PublicKey, cancellationToken: Ct);

        var unknown = await Assert.ThrowsAsync<PublisherKeyException>(() => store.RemoveAsync("nobody", Ct));
        Assert.Contains("No key", unknown.Message, StringComparison.Ordinal);
        var ambiguous = await Assert.ThrowsAsync<PublisherKeyException>(() => store.RemoveAsync("Acme IT", Ct));
        Assert.Contains("matches 2 keys", ambiguous.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await store.ListAsync(Ct)).Count);
    }

    [Fact]
    public async Task ADamagedStoreIsReportedInsteadOfTrustingNobodySilently()
    {
        await File.WriteAllTextAsync(StorePath, "{ not json", Ct);

        var ex = await Assert.ThrowsAsync<PublisherKeyException>(() => new TrustStore(StorePath).ListAsync(Ct));

        Assert.Contains("damaged", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _acme.Dispose();
        _beta.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
