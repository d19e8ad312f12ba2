using Microsoft.Extensions.AI;
using OffGrid.Cli.Tests;
using OffGrid.Distribution.Packages;
using OffGrid.Hub.Store;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>Create on one OFFGRID_HOME, verify and import into a fresh one, and run the imported model with llama.cpp.</summary>
public sealed class PackageRoundTripTests : IAsyncLifetime
{
    private PackageWorld _world = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _world = await PackageWorld.CreateAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task AFolderPackageImportsIntoAFreshHomeAndTheModelRuns()
    {
        var progress = new RecordingProgress<PackageProgress>();
        PackageCreateResult created = await _world.CreateAsync("usb", Ct, runtime: true, progress: progress);
        IReadOnlyList<PackageProgress> reports = progress.Reports;

        Assert.False(created.Resumed);
        Assert.Equal(_world.Key.PublicKey.KeyId, created.Manifest.Publisher!.KeyId);
        Assert.Contains(created.Manifest.Files, f => f.Path == "install.sh");
        Assert.Contains(created.Manifest.Files, f => f.Path == "SHA256SUMS");
        PackageRuntime runtime = Assert.Single(created.Manifest.Runtimes);
        Assert.Equal(LlamaRuntimeCatalog.CurrentPlatform, runtime.Platform);
        Assert.Contains(reports, r => r.Stage == PackageStage.Writing && r.EstimatedRemaining is not null && r.TotalBytes == created.Manifest.TotalBytes);
        Assert.Equal(PackageStage.Done, reports[^1].Stage);

        VerifiedPackage verified = await _world.Verifier.VerifyAsync(created.Path, cancellationToken: Ct);
        Assert.True(verified.IsSigned);
        Assert.Equal("Acme IT", verified.Publisher!.Key.Name);

        PackageImportResult imported = await _world.Importer.ImportAsync(created.Path, _world.ImportOptions, cancellationToken: Ct);
        ModelManifest model = Assert.Single(imported.Models);
        Assert.Equal(PackageWorld.ModelName, model.Name);
        Assert.NotNull(imported.RuntimeDirectory);
        Assert.StartsWith(_world.TargetHome, imported.RuntimeDirectory, StringComparison.Ordinal);
        Assert.Contains(Directory.EnumerateFiles(imported.RuntimeDirectory), f => Path.GetFileName(f).StartsWith("libllama", StringComparison.Ordinal));
        Assert.True((await _world.TargetStore.VerifyAsync(model.Name, Ct)).IsValid);

        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(Testing.TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu }, cancellationToken: Ct);
        using LlamaModel loaded = await LlamaModel.LoadAsync(model.PrimaryFilePath, cancellationToken: Ct);
        using var engine = new LlamaEngine(loaded, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 128, Threads = 1 });
        ChatResponse story = await new LlamaChatClient(engine).GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 20 }, Ct);
        Assert.Contains("Lily", story.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnArchivePackageVerifiesInOnePassAndImportsWithoutLeftovers()
    {
        PackageCreateResult created = await _world.CreateAsync("bundle.tar", Ct);

        Assert.True(File.Exists(created.Path));
        VerifiedPackage verified = await _world.Verifier.VerifyAsync(created.Path, cancellationToken: Ct);
        Assert.True(verified.IsArchive);

        PackageImportResult imported = await _world.Importer.ImportAsync(created.Path, _world.ImportOptions, cancellationToken: Ct);

        Assert.Equal(PackageWorld.ModelName, Assert.Single(imported.Models).Name);
        Assert.Null(imported.RuntimeDirectory);
        Assert.False(Directory.Exists(_world.TargetOptions.GetTempDirectory()) && Directory.EnumerateFileSystemEntries(_world.TargetOptions.GetTempDirectory()).Any());
        Assert.True(File.Exists(Path.Combine(_world.TargetHome, "provenance", imported.Models[0].Files[0].Sha256 + ".json")));
    }

    [Fact]
    public async Task UnsignedPackagesAreRefusedUnlessAllowed()
    {
        PackageCreateResult created = await _world.CreateAsync("unsigned", Ct, signed: false);
        Assert.Null(created.Manifest.Publisher);
        Assert.DoesNotContain(created.Manifest.Files, f => f.Path == "publisher.pub");

        var refused = await Assert.ThrowsAsync<PackageException>(() => _world.Importer.ImportAsync(created.Path, _world.ImportOptions, cancellationToken: Ct));
        Assert.Equal(PackageProblem.Unsigned, refused.Problem);
        Assert.Contains("--allow-unsigned", refused.Message, StringComparison.Ordinal);
        _world.AssertTargetUntouched();

        PackageImportOptions allow = _world.ImportOptions;
        allow.AllowUnsigned = true;
        PackageImportResult imported = await _world.Importer.ImportAsync(created.Path, allow, cancellationToken: Ct);
        Assert.False(imported.Package.IsSigned);
        Assert.Single(imported.Models);
    }

    [Fact]
    public async Task ImportingTheSamePackageTwiceKeepsOneModel()
    {
        PackageCreateResult created = await _world.CreateAsync("twice", Ct);

        await _world.Importer.ImportAsync(created.Path, _world.ImportOptions, cancellationToken: Ct);
        await _world.Importer.ImportAsync(created.Path, _world.ImportOptions, cancellationToken: Ct);

        Assert.Single(await _world.TargetStore.ListAsync(Ct));
    }
}
