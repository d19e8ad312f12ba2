using System.Security.Cryptography;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;

namespace OffGrid.Hub.Tests.Store;

/// <summary>Models added from files whose size and digest are known in advance: copied from disk, or downloaded.</summary>
public sealed class ModelImportTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();
    private readonly byte[] _model = HubFixture.TinyModel(GgufTensorType.Q8_0, "{{ bos_token }}");
    private string _source = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _source = Path.Combine(_hub.Home, "incoming", "tiny-Q8_0.gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(_source)!);
        await File.WriteAllBytesAsync(_source, _model, Ct);
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task ImportCopiesVerifiesAndKeepsTheOriginalNameAndOrigin()
    {
        var reports = new List<PullProgress>();
        ModelImport import = Import(Sha256(_model));

        ModelManifest manifest = await _hub.Store.ImportAsync(import, _ => _source, new CallbackProgress<PullProgress>(reports.Add), Ct);

        Assert.Equal("acme/Tiny-GGUF:Q8_0", manifest.Name);
        Assert.Equal("acme/Tiny-GGUF", manifest.Repository);
        Assert.True(manifest.HasChatTemplate);
        Assert.Equal(_model, await File.ReadAllBytesAsync(manifest.PrimaryFilePath, Ct));
        Assert.Equal(manifest.Name, (await _hub.Store.FindAsync("acme/Tiny-GGUF:Q8_0", Ct))!.Name);
        Assert.Equal(PullStatus.Done, reports[^1].Status);
        Assert.True((await _hub.Store.VerifyAsync(manifest.Name, Ct)).IsValid);
    }

    [Fact]
    public async Task ADigestMismatchStoresNothing()
    {
        ModelImport import = Import(new string('0', 64));

        var ex = await Assert.ThrowsAsync<DownloadIntegrityException>(() => _hub.Store.ImportAsync(import, _ => _source, cancellationToken: Ct));

        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        AssertStoreEmpty();
    }

    [Fact]
    public async Task ASizeMismatchStoresNothing()
    {
        ModelImport import = Import(Sha256(_model), size: _model.Length - 1);

        await Assert.ThrowsAsync<DownloadIntegrityException>(() => _hub.Store.ImportAsync(import, _ => _source, cancellationToken: Ct));

        AssertStoreEmpty();
    }

    [Theory]
    [InlineData("../escape.gguf")]
    [InlineData("/etc/passwd")]
    [InlineData("sub\\evil.gguf")]
    public async Task UnsafeFilePathsAreRefused(string path)
    {
        var import = new ModelImport { Name = "x/y", Files = [new ModelImportFile(path, _model.Length, Sha256(_model))] };

        await Assert.ThrowsAsync<ArgumentException>(() => _hub.Store.ImportAsync(import, _ => _source, cancellationToken: Ct));

        AssertStoreEmpty();
    }

    /// <summary>Every way into the store (a file, a package's or a peer's listing copied or downloaded) takes only names <see cref="ModelNames"/> allows.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("acme/../escape")]
    [InlineData("/etc/models")]
    [InlineData("my model")]
    [InlineData("bell\u0007")]
    [InlineData("a/b?c")]
    public async Task ANameTheRuleRefusesStoresNothingOnEveryPath(string escaped)
    {
        string name = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var import = new ModelImport { Name = name, Files = [new ModelImportFile("tiny.gguf", _model.Length, Sha256(_model))] };
        Uri address = _hub.Server.AddFile("tiny.gguf", _model);

        var copied = await Assert.ThrowsAsync<InvalidModelNameException>(() => _hub.Store.ImportAsync(import, _ => _source, cancellationToken: Ct));
        var downloaded = await Assert.ThrowsAsync<InvalidModelNameException>(() => _hub.Store.DownloadAsync(
            import, _hub.Downloader, (_, destination) => new DownloadRequest { Source = address, DestinationPath = destination }, cancellationToken: Ct));
        var file = await Assert.ThrowsAsync<InvalidModelNameException>(() => _hub.Store.ImportAsync(_source, name, cancellationToken: Ct));
        var referenced = await Assert.ThrowsAsync<InvalidModelNameException>(() => _hub.Store.ImportAsync(_source, name, copy: false, Ct));

        Assert.All(new[] { copied, downloaded, file, referenced }, e => Assert.Equal($"The store does not take this model name: {ModelNames.Problem(name)}", e.Message));
        Assert.Empty(_hub.Server.Requests);
        AssertStoreEmpty();
    }

    [Theory]
    [InlineData("My Model (v2)", "local/My-Model--v2-")]
    [InlineData("..hidden", "local/hidden")]
    [InlineData("модель", "local/------")]
    public async Task AFileNamedWithOtherCharactersIsStoredUnderANameTheRuleAllows(string fileName, string expected)
    {
        string path = Path.Combine(_hub.Home, "incoming", fileName + ".gguf");
        File.Copy(_source, path);

        ModelManifest manifest = await _hub.Store.ImportAsync(path, cancellationToken: Ct);

        Assert.Equal(expected, manifest.Name);
        Assert.Null(ModelNames.Problem(manifest.Name));
        Assert.Equal(expected, (await _hub.Store.FindAsync(expected, Ct))!.Name);
    }

    [Fact]
    public async Task DownloadFetchesIntoStagingAndPublishesOnlyVerifiedFiles()
    {
        Uri address = _hub.Server.AddFile("tiny.gguf", _model);

        ModelDownloadResult download = await _hub.Store.DownloadAsync(
            Import(Sha256(_model)),
            _hub.Downloader,
            (file, destination) => new DownloadRequest { Source = address, DestinationPath = destination, ExpectedSize = file.Size, ExpectedHash = ContentHash.Sha256(file.Sha256) },
            cancellationToken: Ct);

        Assert.Equal(_model, await File.ReadAllBytesAsync(download.Model.PrimaryFilePath, Ct));
        Assert.Equal(_model.Length, Assert.Single(download.Downloads).BytesTransferred);

        _hub.Server.AddFile("other.gguf", HubFixture.TinyModel(GgufTensorType.F16));
        var tampered = new ModelImport { Name = "acme/Other", Files = [new ModelImportFile("other.gguf", _model.Length, Sha256(_model))] };
        await Assert.ThrowsAsync<DownloadIntegrityException>(() => _hub.Store.DownloadAsync(
            tampered,
            _hub.Downloader,
            (_, destination) => new DownloadRequest { Source = new Uri(_hub.Server.BaseUri, "files/other.gguf"), DestinationPath = destination },
            cancellationToken: Ct));
        Assert.Single(await _hub.Store.ListAsync(Ct));
    }

    [Fact]
    public async Task AFullDiskIsRefusedBeforeCopying()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux to mount a small tmpfs.");
        }

        string mount = TestPaths.NewTempDir("tiny-disk");
        await Mount.TmpfsAsync(mount, "64k");
        try
        {
            var store = new ModelStore(Path.Combine(mount, "models"), _hub.Downloader, _hub.Client, new Hub.References.ModelAliasCatalog(), new Hub.Quantization.QuantizationRanker(1L << 30));
            byte[] big = new byte[256 << 10];
            _model.CopyTo(big, 0);
            await File.WriteAllBytesAsync(_source, big, Ct);
            var import = new ModelImport { Name = "acme/Big", Files = [new ModelImportFile("big.gguf", big.Length, Sha256(big))] };

            var ex = await Assert.ThrowsAsync<InsufficientDiskSpaceException>(() => store.ImportAsync(import, _ => _source, cancellationToken: Ct));

            Assert.Contains("Not enough disk space", ex.Message, StringComparison.Ordinal);
            Assert.Empty(ModelFiles(Path.Combine(mount, "models")));
        }
        finally
        {
            await Mount.UnmountAsync(mount);
        }
    }

    private ModelImport Import(string sha256, long? size = null) => new()
    {
        Name = "acme/Tiny-GGUF:Q8_0",
        Repository = "acme/Tiny-GGUF",
        Quantization = "Q8_0",
        Files = [new ModelImportFile("tiny-Q8_0.gguf", size ?? _model.Length, sha256)],
    };

    private void AssertStoreEmpty() => Assert.Empty(ModelFiles(_hub.Store.RootDirectory));

    // Every file in the store but the writers' lock files (one empty file per name, kept on purpose).
    private static IEnumerable<string> ModelFiles(string root) => Directory.Exists(root)
        ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != ".locks")
        : [];

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
