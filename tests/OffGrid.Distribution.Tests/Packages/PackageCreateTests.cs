using OffGrid.Distribution.Packages;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>Writing packages: resuming an interrupted copy, refusing requests that cannot work, and a full target disk.</summary>
public sealed class PackageCreateTests : IAsyncLifetime
{
    private PackageWorld _world = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _world = await PackageWorld.CreateAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task AnArchiveInterruptedInsideAFileResumesAfterTheLastFinishedEntry()
    {
        PackageCreateResult whole = await _world.CreateAsync("reference", Ct, runtime: true);
        byte[] manifest = await File.ReadAllBytesAsync(Path.Combine(whole.Path, PackageLayout.ManifestFile), Ct);
        byte[] signature = await File.ReadAllBytesAsync(Path.Combine(whole.Path, PackageLayout.SignatureFile), Ct);
        List<PackageItem> items = whole.Manifest.Files.Select(f => new PackageItem(f.Path, f.Size, f.Sha256, Path.Combine(whole.Path, f.Path), null)).ToList();
        string archive = Path.Combine(_world.Root, "usb.tar");
        string last = items[^1].Path;

        // Pull the plug while the last (largest) file is being written.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watcher = new RecordingProgress<PackageProgress>(p =>
        {
            if (p.Item == last && p.BytesDone > 0)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            TarPackageWriter.WriteAsync(archive, "content-1", items, manifest, signature, new StageProgress(watcher, PackageStage.Writing, null, TimeSpan.Zero), stop.Token));
        Assert.False(File.Exists(archive));

        var counted = new RecordingProgress<PackageProgress>();
        (bool resumed, byte[] kept, _) = await TarPackageWriter.WriteAsync(archive, "content-1", items, [], null, new StageProgress(counted, PackageStage.Writing, null, TimeSpan.Zero), Ct);

        Assert.True(resumed);
        Assert.Equal(manifest, kept);
        Assert.Equal(items[^1].Size, counted.Reports[^1].BytesDone); // only the interrupted entry was written again
        VerifiedPackage verified = await _world.Verifier.VerifyAsync(archive, cancellationToken: Ct);
        Assert.Equal(whole.Manifest.Files.Count, verified.Manifest.Files.Count);
    }

    [Theory]
    [InlineData("usb")]
    [InlineData("usb.tar")]
    public async Task AnInterruptedCopyResumesAndTheResultVerifies(string output)
    {
        // Stop at the first bytes written, as if the stick were pulled.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new RecordingProgress<PackageProgress>(p =>
        {
            if (p.Stage == PackageStage.Writing && p.BytesDone > 0)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _world.CreateAsync(output, stop.Token, runtime: true, progress: progress));
        string path = Path.Combine(_world.Root, output);
        Assert.False(File.Exists(Path.Combine(path, PackageLayout.ManifestFile)), "an unfinished folder has no manifest");
        Assert.False(File.Exists(path), "an unfinished archive keeps its .partial name");
        if (!output.EndsWith(".tar", StringComparison.Ordinal))
        {
            // A big file cut half-way: the rerun continues it rather than starting over.
            string tarball = Directory.EnumerateFiles(Path.Combine(TestPaths.CacheDir, "runtime", "downloads"), "*.tgz").First();
            Directory.CreateDirectory(Path.Combine(path, "runtime"));
            byte[] bytes = await File.ReadAllBytesAsync(tarball, Ct);
            await File.WriteAllBytesAsync(Path.Combine(path, "runtime", Path.GetFileName(tarball) + ".partial"), bytes.AsMemory(0, bytes.Length / 2), Ct);
        }

        PackageCreateResult resumed = await _world.CreateAsync(output, Ct, runtime: true);

        if (!output.EndsWith(".tar", StringComparison.Ordinal))
        {
            Assert.True(resumed.Resumed); // (an archive stopped inside its first entry may start over; the test above resumes one mid-file)
        }

        VerifiedPackage verified = await _world.Verifier.VerifyAsync(resumed.Path, cancellationToken: Ct);
        Assert.Equal(resumed.Manifest.Files.Count, verified.Manifest.Files.Count);
        Assert.Empty(Directory.EnumerateFiles(_world.Root, "*.partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AStoreFileThatNoLongerMatchesItsDigestIsNotPackaged()
    {
        ModelManifest stored = (await _world.SourceStore.FindAsync(PackageWorld.ModelName, Ct))!;
        await using (FileStream file = File.Open(stored.PrimaryFilePath, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096;
            file.WriteByte(0x42);
        }

        var ex = await Assert.ThrowsAsync<PackageException>(() => _world.CreateAsync("damaged", Ct));

        Assert.Contains("damaged or changed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_world.Root, "damaged"), "*", SearchOption.AllDirectories), f => f.EndsWith(".gguf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestsThatCannotWorkAreRefusedWithTheReason()
    {
        var unknownModel = await Assert.ThrowsAsync<PackageException>(() => _world.Builder.CreateAsync(new PackageCreateRequest { OutputPath = Path.Combine(_world.Root, "a"), Models = ["nobody/nothing"] }, cancellationToken: Ct));
        Assert.Contains("No stored model matches 'nobody/nothing'", unknownModel.Message, StringComparison.Ordinal);

        var unknownPlatform = await Assert.ThrowsAsync<PackageException>(() => _world.Builder.CreateAsync(new PackageCreateRequest { OutputPath = Path.Combine(_world.Root, "b"), RuntimePlatforms = ["amiga-m68k"] }, cancellationToken: Ct));
        Assert.Contains("linux-x64", unknownPlatform.Message, StringComparison.Ordinal);

        string notATool = Path.Combine(_world.Root, "fake.nupkg");
        await File.WriteAllTextAsync(notATool, "not a zip", Ct);
        var badTool = await Assert.ThrowsAsync<PackageException>(() => _world.Builder.CreateAsync(new PackageCreateRequest { OutputPath = Path.Combine(_world.Root, "c"), ToolPackagePath = notATool }, cancellationToken: Ct));
        Assert.Contains("is not a .nupkg file", badTool.Message, StringComparison.Ordinal);

        var nothing = await Assert.ThrowsAsync<PackageException>(() => _world.Builder.CreateAsync(new PackageCreateRequest { OutputPath = Path.Combine(_world.Root, "d") }, cancellationToken: Ct));
        Assert.Contains("Nothing to package", nothing.Message, StringComparison.Ordinal);
        Assert.All(new[] { "a", "b", "c", "d" }, name => Assert.False(Directory.Exists(Path.Combine(_world.Root, name))));
    }

    [Fact]
    public async Task AnOutputInTheWayIsNotOverwritten()
    {
        string busy = Path.Combine(_world.Root, "busy");
        Directory.CreateDirectory(busy);
        await File.WriteAllTextAsync(Path.Combine(busy, "thesis.docx"), "years of work", Ct);
        PackageCreateResult finished = await _world.CreateAsync("finished", Ct);
        string archive = Path.Combine(_world.Root, "exists.tar");
        await File.WriteAllTextAsync(archive, "keep", Ct);

        var notEmpty = await Assert.ThrowsAsync<PackageException>(() => _world.CreateAsync("busy", Ct));
        var done = await Assert.ThrowsAsync<PackageException>(() => _world.CreateAsync("finished", Ct));
        var exists = await Assert.ThrowsAsync<PackageException>(() => _world.CreateAsync("exists.tar", Ct));

        Assert.Contains("thesis.docx", notEmpty.Message, StringComparison.Ordinal);
        Assert.Contains("already holds a finished package", done.Message, StringComparison.Ordinal);
        Assert.Contains("already exists", exists.Message, StringComparison.Ordinal);
        Assert.Equal(["thesis.docx"], Directory.EnumerateFiles(busy).Select(Path.GetFileName));
        Assert.Equal("keep", await File.ReadAllTextAsync(archive, Ct));
        await _world.Verifier.VerifyAsync(finished.Path, cancellationToken: Ct);
    }

    [Theory]
    [InlineData("usb")]
    [InlineData("usb.tar")]
    public async Task AFullTargetDiskIsRefusedBeforeWriting(string output)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux to mount a small tmpfs as the USB stick.");
        }

        string stick = TestPaths.NewTempDir("stick");
        await Mount.TmpfsAsync(stick, "1m");
        try
        {
            var request = new PackageCreateRequest { OutputPath = Path.Combine(stick, output), Models = [PackageWorld.ModelName], Signer = _world.Key };

            var ex = await Assert.ThrowsAsync<InsufficientDiskSpaceException>(() => _world.Builder.CreateAsync(request, cancellationToken: Ct));

            Assert.Contains("Not enough disk space", ex.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(stick));
        }
        finally
        {
            await Mount.UnmountAsync(stick);
        }
    }
}
