using System.Formats.Tar;
using System.Text.Json;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Signing;
using OffGrid.Hub.Downloads;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>Every kind of bad package is refused with a clear message, and nothing of it reaches the target machine.</summary>
public sealed class PackageRejectionTests : IAsyncLifetime
{
    private PackageWorld _world = null!;
    private string _package = null!;
    private string _archive = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ModelFile => Directory.EnumerateFiles(Path.Combine(_package, "models"), "*.gguf", SearchOption.AllDirectories).Single();

    public async ValueTask InitializeAsync()
    {
        _world = await PackageWorld.CreateAsync();
        _package = (await _world.CreateAsync("package", Ct)).Path;
        _archive = (await _world.CreateAsync("package.tar", Ct)).Path;
    }

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task ATamperedFileIsRefused()
    {
        await FlipByteAsync(ModelFile, 5000);

        await AssertRefusedAsync(_package, PackageProblem.HashMismatch, "was altered");
    }

    [Fact]
    public async Task AMissingFileIsRefused()
    {
        File.Delete(Path.Combine(_package, "publisher.pub"));

        await AssertRefusedAsync(_package, PackageProblem.MissingFile, "'publisher.pub' is listed in the manifest but missing");
    }

    [Fact]
    public async Task AnExtraFileIsRefused()
    {
        await File.WriteAllTextAsync(Path.Combine(_package, "models", "run-me.sh"), "rm -rf /", Ct);

        await AssertRefusedAsync(_package, PackageProblem.ExtraFile, "'models/run-me.sh', which its manifest does not list");
    }

    [Fact]
    public async Task AnUntrustedKeyIsRefused()
    {
        await _world.TargetTrust.RemoveAsync(_world.Key.PublicKey.KeyId, Ct);

        await AssertRefusedAsync(_package, PackageProblem.UntrustedKey, "does not trust");
    }

    [Fact]
    public async Task ARevokedKeyIsRefused()
    {
        await _world.TargetTrust.RevokeAsync(_world.Key.PublicKey.KeyId, Ct);

        await AssertRefusedAsync(_package, PackageProblem.RevokedKey, "revoked");
        await AssertRefusedAsync(_archive, PackageProblem.RevokedKey, "revoked");
    }

    [Fact]
    public async Task ASignatureByAnotherKeyClaimingTheTrustedKeyIsRefused()
    {
        using PublisherKeyPair forger = PublisherKeyPair.Generate("Mallory");
        byte[] manifest = await File.ReadAllBytesAsync(Path.Combine(_package, PackageLayout.ManifestFile), Ct);
        var signature = JsonSerializer.Deserialize<PackageSignature>(PackageSignature.Create(forger, manifest), PackageLayout.Json)! with
        {
            KeyId = _world.Key.PublicKey.KeyId,
            Publisher = _world.Key.PublicKey.Name,
            PublicKey = Convert.ToBase64String(_world.Key.PublicKey.RawKey.Span),
        };
        await File.WriteAllBytesAsync(Path.Combine(_package, PackageLayout.SignatureFile), JsonSerializer.SerializeToUtf8Bytes(signature, PackageLayout.Json), Ct);

        await AssertRefusedAsync(_package, PackageProblem.BadSignature, "does not match the manifest");
    }

    [Fact]
    public async Task AManifestChangedAfterSigningIsRefused()
    {
        PackageManifest manifest = await ReadManifestAsync();
        await File.WriteAllBytesAsync(
            Path.Combine(_package, PackageLayout.ManifestFile),
            JsonSerializer.SerializeToUtf8Bytes(manifest with { Models = [manifest.Models[0] with { Name = "acme/other" }] }, PackageLayout.Json),
            Ct);

        await AssertRefusedAsync(_package, PackageProblem.BadSignature, "altered after");
    }

    [Theory]
    [InlineData("../escape.gguf")]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("models/../../escape.gguf")]
    [InlineData("C:/Windows/evil.dll")]
    [InlineData("models\\..\\escape.gguf")]
    public async Task UnsafePathsInASignedManifestAreRefused(string path)
    {
        PackageManifest manifest = await ReadManifestAsync();
        PackageFile model = manifest.Files.Single(f => f.Path.EndsWith(".gguf", StringComparison.Ordinal));
        await SignAsync(manifest with
        {
            Files = [.. manifest.Files.Where(f => f != model), model with { Path = path }],
            Models = [manifest.Models[0] with { Files = [path] }],
        });

        await AssertRefusedAsync(_package, PackageProblem.UnsafePath, "unsafe path");
    }

    [Theory]
    [InlineData("acme/../escape")]
    [InlineData("my model")]
    public async Task AModelNameTheStoreDoesNotTakeIsRefusedBeforeAnythingIsCopied(string name)
    {
        PackageManifest manifest = await ReadManifestAsync();
        await SignAsync(manifest with { Models = [manifest.Models[0] with { Name = name }] });

        await AssertRefusedAsync(_package, PackageProblem.InvalidManifest, "a model's name is not one the store takes");
    }

    [Fact]
    public async Task ASignedManifestThatLiesAboutASizeIsRefused()
    {
        PackageManifest manifest = await ReadManifestAsync();
        await SignAsync(manifest with { Files = manifest.Files.Select(f => f.Path == "install.sh" ? f with { Size = f.Size + 1 } : f).ToList() });

        await AssertRefusedAsync(_package, PackageProblem.SizeMismatch, "but the manifest says");
    }

    [Fact]
    public async Task ASymbolicLinkInAFolderIsRefusedEvenWhenItsContentMatches()
    {
        string model = ModelFile;
        string moved = Path.Combine(_world.Root, "elsewhere.gguf");
        File.Move(model, moved);
        File.CreateSymbolicLink(model, moved);

        await AssertRefusedAsync(_package, PackageProblem.Link, "holds a link");
    }

    [Fact]
    public async Task ALinkedFolderIsRefused()
    {
        string models = Path.Combine(_package, "models");
        string moved = Path.Combine(_world.Root, "models-elsewhere");
        Directory.Move(models, moved);
        Directory.CreateSymbolicLink(models, moved);

        await AssertRefusedAsync(_package, PackageProblem.Link, "holds a link");
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink, "install.sh", "holds a link")]
    [InlineData(TarEntryType.HardLink, "install.sh", "holds a link")]
    [InlineData(TarEntryType.RegularFile, "../escape.sh", "unsafe path")]
    [InlineData(TarEntryType.RegularFile, "/etc/cron.d/evil", "unsafe path")]
    [InlineData(TarEntryType.Fifo, "models/pipe", "plain files only")]
    public async Task BadArchiveEntriesAreRefused(TarEntryType type, string name, string message)
    {
        string crafted = await RewriteArchiveAsync(entry => entry.Name == "install.sh" ? Bad(type, name) : entry);

        PackageException ex = await AssertRefusedAsync(crafted, null, message);
        Assert.Contains(ex.Problem, new[] { PackageProblem.Link, PackageProblem.UnsafePath });
    }

    [Fact]
    public async Task AnArchiveEntryThatLiesAboutItsSizeIsRefused()
    {
        string crafted = await RewriteArchiveAsync(entry => entry.Name == "install.sh"
            ? new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(new byte[entry.Length + 10]) }
            : entry);

        await AssertRefusedAsync(crafted, PackageProblem.SizeMismatch, "but the manifest says");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public async Task ATruncatedArchiveIsRefused(double keep)
    {
        string truncated = Path.Combine(_world.Root, "truncated.tar");
        byte[] bytes = await File.ReadAllBytesAsync(_archive, Ct);
        await File.WriteAllBytesAsync(truncated, bytes.AsMemory(0, (int)(bytes.Length * keep)), Ct);

        await AssertRefusedAsync(truncated, PackageProblem.Truncated, "truncated");
    }

    [Fact]
    public async Task AnArchiveWithoutItsLastEntriesIsRefusedAsTruncated()
    {
        string cut = await RewriteArchiveAsync(entry => entry.Name.EndsWith(".gguf", StringComparison.Ordinal) ? null : entry, endMarker: false);

        await AssertRefusedAsync(cut, PackageProblem.Truncated, "ends before");
    }

    [Fact]
    public async Task SomethingThatIsNotAPackageIsRefused()
    {
        string empty = TestPaths.NewTempDir("empty");
        string text = Path.Combine(empty, "notes.txt");
        await File.WriteAllTextAsync(text, "hello", Ct);

        await AssertRefusedAsync(empty, PackageProblem.NotAPackage, "not an OffGrid package");
        await AssertRefusedAsync(text, PackageProblem.NotAPackage, "not an OffGrid package archive");
        await AssertRefusedAsync(Path.Combine(empty, "missing"), PackageProblem.NotAPackage, "There is no package");
        Directory.Delete(empty, recursive: true);
    }

    [Fact]
    public async Task AFullDiskIsRefusedBeforeAnythingIsCopied()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux to mount a small tmpfs as the target's disk.");
        }

        Directory.CreateDirectory(_world.TargetHome);
        await Mount.TmpfsAsync(_world.TargetHome, "512k");
        try
        {
            _world.TargetStore = PackageWorld.StoreIn(_world.TargetHome);
            _world.Importer = new PackageImporter(_world.Verifier, _world.TargetStore, _world.TargetOptions);
            await _world.TargetTrust.TrustAsync(_world.Key.PublicKey, cancellationToken: Ct);

            foreach (string package in new[] { _package, _archive })
            {
                var ex = await Assert.ThrowsAsync<InsufficientDiskSpaceException>(() => _world.Importer.ImportAsync(package, _world.ImportOptions, cancellationToken: Ct));
                Assert.Contains("Not enough disk space", ex.Message, StringComparison.Ordinal);
                _world.AssertTargetUntouched();
            }
        }
        finally
        {
            await Mount.UnmountAsync(_world.TargetHome);
        }
    }

    private async Task<PackageException> AssertRefusedAsync(string package, PackageProblem? problem, string message)
    {
        var verify = await Assert.ThrowsAsync<PackageException>(() => _world.Verifier.VerifyAsync(package, cancellationToken: Ct));
        var import = await Assert.ThrowsAsync<PackageException>(() => _world.Importer.ImportAsync(package, _world.ImportOptions, cancellationToken: Ct));

        foreach (PackageException ex in new[] { verify, import })
        {
            if (problem is { } expected)
            {
                Assert.Equal(expected, ex.Problem);
            }

            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }

        _world.AssertTargetUntouched();
        return import;
    }

    private async Task<PackageManifest> ReadManifestAsync() =>
        JsonSerializer.Deserialize<PackageManifest>(await File.ReadAllBytesAsync(Path.Combine(_package, PackageLayout.ManifestFile), Ct), PackageLayout.Json)!;

    /// <summary>Writes <paramref name="manifest"/> as the package's manifest, signed with the trusted key (an insider's package).</summary>
    private async Task SignAsync(PackageManifest manifest)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, PackageLayout.Json);
        await File.WriteAllBytesAsync(Path.Combine(_package, PackageLayout.ManifestFile), bytes, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_package, PackageLayout.SignatureFile), PackageSignature.Create(_world.Key, bytes), Ct);
    }

    /// <summary>Copies the valid archive entry by entry, letting <paramref name="change"/> replace or drop entries (the signed manifest stays first).</summary>
    private async Task<string> RewriteArchiveAsync(Func<TarEntry, TarEntry?> change, bool endMarker = true)
    {
        string path = Path.Combine(_world.Root, $"crafted-{Guid.NewGuid():N}.tar");
        await using (FileStream source = File.OpenRead(_archive))
        await using (var reader = new TarReader(source))
        await using (FileStream target = File.Create(path))
        {
            var writer = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            {
                if (change(entry) is { } replaced)
                {
                    await writer.WriteEntryAsync(replaced, Ct);
                }
            }

            if (endMarker)
            {
                await writer.DisposeAsync();
            }
        }

        return path;
    }

    private static PaxTarEntry Bad(TarEntryType type, string name) => type switch
    {
        TarEntryType.SymbolicLink or TarEntryType.HardLink => new PaxTarEntry(type, name) { LinkName = "/etc/passwd" },
        TarEntryType.RegularFile => new PaxTarEntry(type, name) { DataStream = new MemoryStream("echo pwned"u8.ToArray()) },
        _ => new PaxTarEntry(type, name),
    };

    private static async Task FlipByteAsync(string path, long offset)
    {
        await using FileStream stream = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0xFF));
    }
}
