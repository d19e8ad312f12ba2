using OffGrid.Distribution.Signing;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Signing;

public sealed class PublisherKeyTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("keys");

    [Fact]
    public void SignaturesVerifyOnlyForTheSignedBytesAndTheSigningKey()
    {
        using PublisherKeyPair acme = PublisherKeyPair.Generate("Acme IT");
        using PublisherKeyPair other = PublisherKeyPair.Generate("Other");
        byte[] manifest = "{\"format\":\"offgrid-package/1\"}"u8.ToArray();

        byte[] signature = acme.Sign(manifest);

        Assert.Equal(64, signature.Length);
        Assert.True(acme.PublicKey.Verify(manifest, signature));
        Assert.False(other.PublicKey.Verify(manifest, signature));
        manifest[3] ^= 1;
        Assert.False(acme.PublicKey.Verify(manifest, signature));
        Assert.False(acme.PublicKey.Verify(manifest, signature.AsSpan(1)));
    }

    [Fact]
    public void TextFormRoundTripsAndIdIsStable()
    {
        using PublisherKeyPair key = PublisherKeyPair.Generate("Acme IT\nwith a line break");

        string text = key.PublicKey.ToString();
        PublisherKey parsed = PublisherKey.Parse(text);

        Assert.StartsWith("offgrid-ed25519 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.Equal(key.PublicKey, parsed);
        Assert.Equal(key.PublicKey.KeyId, parsed.KeyId);
        Assert.Matches("^[0-9a-f]{32}$", parsed.KeyId);
        Assert.True(parsed.Matches(parsed.KeyId[..8]));
        Assert.True(parsed.Matches("acme ITwith a line break"));
        Assert.False(parsed.Matches(parsed.KeyId[..7]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4zq9 me")]
    [InlineData("offgrid-ed25519 not-base64 name")]
    [InlineData("offgrid-ed25519 AAAA name")]
    public void MalformedKeysAreRefusedWithAClearMessage(string text)
    {
        var ex = Assert.Throws<PublisherKeyException>(() => PublisherKey.Parse(text));

        Assert.Contains("not an OffGrid publisher key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFilesRoundTripAreOwnerOnlyAndAreNotOverwrittenByAccident()
    {
        string path = Path.Combine(_dir, "keys", "publisher.json");
        using PublisherKeyPair key = PublisherKeyPair.Generate("Acme IT");

        await key.SaveAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        using PublisherKeyPair loaded = await PublisherKeyPair.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(key.PublicKey, loaded.PublicKey);
        Assert.True(key.PublicKey.Verify("x"u8, loaded.Sign("x"u8)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using PublisherKeyPair replacement = PublisherKeyPair.Generate("New");
        var refused = await Assert.ThrowsAsync<PublisherKeyException>(() => replacement.SaveAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        await replacement.SaveAsync(path, overwrite: true, TestContext.Current.CancellationToken);
        using PublisherKeyPair reloaded = await PublisherKeyPair.LoadAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(replacement.PublicKey, reloaded.PublicKey);
    }

    [Fact]
    public async Task MissingOrDamagedKeyFilesSayWhatToDo()
    {
        var missing = await Assert.ThrowsAsync<PublisherKeyException>(() => PublisherKeyPair.LoadAsync(Path.Combine(_dir, "none.json"), TestContext.Current.CancellationToken));
        Assert.Contains("offgrid package key generate", missing.Message, StringComparison.Ordinal);

        string damaged = Path.Combine(_dir, "damaged.json");
        await File.WriteAllTextAsync(damaged, "{\"algorithm\":\"ed25519\",\"privateKey\":\"AAAA\"}", TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<PublisherKeyException>(() => PublisherKeyPair.LoadAsync(damaged, TestContext.Current.CancellationToken));
        Assert.Contains("not an OffGrid publisher key file", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
