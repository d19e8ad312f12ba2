using OffGrid.Hub.Downloads;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Models;

namespace OffGrid.Hub.Tests.Store;

public sealed class ModelStoreTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();
    private readonly byte[] _q8 = HubFixture.TinyModel(GgufTensorType.Q8_0, "{{ bos_token }}");
    private readonly byte[] _f16 = HubFixture.TinyModel(GgufTensorType.F16);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _hub.Server.AddRepo(new LoopbackModelRepo { Id = "ggml-org/models", Files = { ["tinyllamas/stories260K.gguf"] = TestPaths.Stories260K } });
        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "acme/Tiny-Chat-GGUF",
            Files = { ["tiny-chat-Q8_0.gguf"] = _q8, ["tiny-chat-F16.gguf"] = _f16, ["mmproj-tiny-f16.gguf"] = _f16 },
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task PullsAliasThenListsShowsVerifiesAndRemoves()
    {
        var reports = new List<PullProgress>();

        ModelManifest manifest = await _hub.Store.PullAsync("stories260k", new CallbackProgress<PullProgress>(reports.Add), Ct);

        Assert.Equal("ggml-org/models/tinyllamas/stories260K.gguf", manifest.Name);
        Assert.Equal("llama", manifest.Architecture);
        Assert.False(manifest.HasChatTemplate);
        Assert.Equal(LoopbackHubServer.Sha256Of(TestPaths.Stories260K), manifest.Files[0].Sha256);
        Assert.Equal(await File.ReadAllBytesAsync(TestPaths.Stories260K, Ct), await File.ReadAllBytesAsync(manifest.PrimaryFilePath, Ct));
        Assert.Equal([PullStatus.Resolving, PullStatus.Downloading, PullStatus.Verifying, PullStatus.Done], reports.Select(r => r.Status).Distinct());
        Assert.Equal(manifest.SizeBytes, reports[^1].BytesReceived);

        ModelManifest listed = Assert.Single(await _hub.Store.ListAsync(Ct));
        Assert.Equal(manifest.Name, listed.Name);
        Assert.Equal(manifest.Name, (await _hub.Store.FindAsync("stories260k", Ct))!.Name);
        GgufFile header = await _hub.Store.ReadHeaderAsync(listed, Ct);
        Assert.Equal(512, header.VocabSize);
        Assert.True((await _hub.Store.VerifyAsync("stories260k", Ct)).IsValid);

        int requests = _hub.Server.Requests.Count;
        await _hub.Store.PullAsync("stories260k", cancellationToken: Ct);
        Assert.DoesNotContain(_hub.Server.Requests.Skip(requests), r => r.Contains("/resolve/", StringComparison.Ordinal)); // already stored

        Assert.True(await _hub.Store.RemoveAsync("stories260k", Ct));
        Assert.Empty(await _hub.Store.ListAsync(Ct));
        Assert.False(await _hub.Store.RemoveAsync("stories260k", Ct));
    }

    [Fact]
    public async Task PullsWhisperGgmlModelsAndOnnxVoicesWithTheirSidecar()
    {
        byte[] ggml = [.. "lmgg"u8, .. new byte[60]]; // whisper.cpp's magic 0x67676d6c, little-endian
        byte[] onnx = [0x08, 0x07, 0x12, 0x04, .. "test"u8];
        byte[] sidecar = """{"audio":{"sample_rate":16000}}"""u8.ToArray();
        _hub.Server.AddRepo(new LoopbackModelRepo { Id = "ggerganov/whisper.cpp", Files = { ["ggml-tiny.bin"] = ggml, ["README.md"] = "x"u8.ToArray() } });
        _hub.Server.AddRepo(new LoopbackModelRepo { Id = "rhasspy/piper-voices", Files = { ["en/v/en-v.onnx"] = onnx, ["en/v/en-v.onnx.json"] = sidecar, ["en/w/en-w.onnx"] = onnx } });

        ModelManifest whisper = await _hub.Store.PullAsync("whisper-tiny", cancellationToken: Ct);
        ModelManifest voice = await _hub.Store.PullAsync("rhasspy/piper-voices/en/v/en-v.onnx", cancellationToken: Ct);

        Assert.Equal("whisper", whisper.Architecture);
        Assert.Equal("ggml-tiny.bin", Assert.Single(whisper.Files).Path);
        Assert.True((await _hub.Store.VerifyAsync("whisper-tiny", Ct)).IsValid);
        Assert.Equal("onnx", voice.Architecture);
        Assert.Equal(["en-v.onnx", "en-v.onnx.json"], voice.Files.Select(f => f.Path));
        Assert.Equal(sidecar, await File.ReadAllBytesAsync(voice.GetFullPath(voice.Files[1]), Ct));
        Assert.EndsWith("en-v.onnx", voice.PrimaryFilePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportsLocalWhisperModelAndRejectsOtherBinFiles()
    {
        string dir = TestPaths.NewTempDir("import");
        string whisperFile = Path.Combine(dir, "ggml-mine.bin");
        string junk = Path.Combine(dir, "junk.bin");
        await File.WriteAllBytesAsync(whisperFile, [.. "lmgg"u8, .. new byte[60]], Ct);
        await File.WriteAllBytesAsync(junk, new byte[64], Ct);

        ModelManifest imported = await _hub.Store.ImportAsync(whisperFile, cancellationToken: Ct);

        Assert.Equal("whisper", imported.Architecture);
        await Assert.ThrowsAsync<GgufFormatException>(() => _hub.Store.ImportAsync(junk, cancellationToken: Ct));
    }

    [Fact]
    public async Task PullChoosesBestVariantOrRequestedQuantization()
    {
        ModelManifest best = await _hub.Store.PullAsync("acme/Tiny-Chat-GGUF", cancellationToken: Ct);
        ModelManifest f16 = await _hub.Store.PullAsync("acme/Tiny-Chat-GGUF:f16", cancellationToken: Ct);

        Assert.Equal("acme/Tiny-Chat-GGUF:Q8_0", best.Name);
        Assert.Equal("Q8_0", best.Quantization);
        Assert.True(best.HasChatTemplate);
        Assert.Equal(256, best.ContextLength);
        Assert.Equal("acme/Tiny-Chat-GGUF:F16", f16.Name);
        Assert.Equal(2, (await _hub.Store.ListAsync(Ct)).Count);
        Assert.Equal("Q8_0", (await _hub.Store.FindAsync("acme/Tiny-Chat-GGUF", Ct))!.Quantization);

        var missing = await Assert.ThrowsAsync<ModelNotFoundException>(() => _hub.Store.PullAsync("acme/Tiny-Chat-GGUF:Q2_K", cancellationToken: Ct));
        Assert.Contains("Q8_0", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptDownloadNeverBecomesVisible()
    {
        await _hub.Client.GetFilesAsync("acme/Tiny-Chat-GGUF", cancellationToken: Ct); // the listing's sha256 is now fixed
        byte[] tampered = (byte[])_q8.Clone();
        tampered[^1] ^= 0xFF;
        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "acme/Tiny-Chat-GGUF",
            Files = { ["tiny-chat-Q8_0.gguf"] = tampered, ["tiny-chat-F16.gguf"] = _f16 },
        });

        await Assert.ThrowsAsync<DownloadIntegrityException>(() => _hub.Store.PullAsync("acme/Tiny-Chat-GGUF:Q8_0", cancellationToken: Ct));

        Assert.Empty(await _hub.Store.ListAsync(Ct));
    }

    [Fact]
    public async Task OfTwoWritersOfOneNewNameOneStoresAndTheOtherFindsItTaken()
    {
        string source = Path.Combine(_hub.Home, "mine.gguf");
        await File.WriteAllBytesAsync(source, _q8, Ct);

        Task<ModelManifest>[] writers = [_hub.Store.ImportNewAsync(source, "local/claimed", Ct), _hub.Store.ImportNewAsync(source, "local/claimed", Ct)];
        Exception? refused = await Record.ExceptionAsync(() => Task.WhenAll(writers));

        Assert.IsType<ModelExistsException>(refused);
        Assert.Equal("The store already holds a model named 'local/claimed'.", refused.Message);
        ModelManifest stored = await Assert.Single(writers, w => w.IsCompletedSuccessfully);
        Assert.True(File.Exists(stored.PrimaryFilePath));
        Assert.Equal("local/claimed", Assert.Single(await _hub.Store.ListAsync(Ct)).Name);
        await Assert.ThrowsAsync<ModelExistsException>(() => _hub.Store.ImportNewAsync(source, "LOCAL/Claimed", Ct));
    }

    [Fact]
    public async Task ImportsByCopyAndByReferenceAndDetectsCorruption()
    {
        string source = Path.Combine(_hub.Home, "mine.gguf");
        await File.WriteAllBytesAsync(source, _q8, Ct);

        ModelManifest copied = await _hub.Store.ImportAsync(source, cancellationToken: Ct);
        ModelManifest referenced = await _hub.Store.ImportAsync(source, "local/by-ref", copy: false, Ct);

        Assert.Equal("local/mine", copied.Name);
        Assert.StartsWith(_hub.Store.RootDirectory, copied.PrimaryFilePath, StringComparison.Ordinal);
        Assert.True(referenced.IsReference);
        Assert.Equal(source, referenced.PrimaryFilePath);
        Assert.Equal("Q8_0", copied.Quantization);

        byte[] damaged = (byte[])_q8.Clone();
        damaged[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(source, damaged, Ct);
        ModelVerification verification = await _hub.Store.VerifyAsync("local/by-ref", Ct);
        Assert.False(verification.IsValid);
        Assert.Contains("sha256", Assert.Single(verification.Problems), StringComparison.Ordinal);
        Assert.True((await _hub.Store.VerifyAsync("local/mine", Ct)).IsValid);

        Assert.True(await _hub.Store.RemoveAsync("local/by-ref", Ct));
        Assert.True(File.Exists(source)); // removing a reference leaves the original file

        string text = Path.Combine(_hub.Home, "notes.gguf");
        await File.WriteAllTextAsync(text, "not a model", Ct);
        await Assert.ThrowsAsync<GgufFormatException>(() => _hub.Store.ImportAsync(text, cancellationToken: Ct));
    }

    // A split model is one model in the store: imported, pulled, listed, shown and removed with all its parts.
    [Fact]
    public async Task SplitModelsAreOneModel()
    {
        GgufWriter writer = TestLlamaModels.CreateWriter(new TestLlamaModelSpec());
        string whole = Path.Combine(_hub.Home, "whole.gguf");
        writer.Write(whole);
        Directory.CreateDirectory(Path.Combine(_hub.Home, "split"));
        IReadOnlyList<string> parts = writer.WriteSplit(Path.Combine(_hub.Home, "split", "tiny-Q8_0"), 2);
        long expectedParameters = (await GgufFile.ReadAsync(whole, Ct)).ParameterCount;

        ModelManifest copied = await _hub.Store.ImportAsync(parts[1], "local/copy", cancellationToken: Ct);
        Assert.Equal(["tiny-Q8_0-00001-of-00002.gguf", "tiny-Q8_0-00002-of-00002.gguf"], copied.Files.Select(f => f.Path));
        Assert.Equal(parts.Sum(p => new FileInfo(p).Length), copied.SizeBytes);
        Assert.Equal(expectedParameters, copied.ParameterCount);
        Assert.Equal(expectedParameters, (await _hub.Store.ReadHeaderAsync(copied, Ct)).ParameterCount);
        Assert.True((await _hub.Store.VerifyAsync("local/copy", Ct)).IsValid);

        ModelManifest referenced = await _hub.Store.PullAsync(parts[0], cancellationToken: Ct);
        Assert.Equal("local/tiny-Q8_0", referenced.Name);
        Assert.True(referenced.IsReference);
        Assert.Equal(parts, referenced.Files.Select(f => f.Path));
        Assert.Equal(referenced.Name, (await _hub.Store.FindAsync(parts[1], Ct))!.Name);

        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "acme/Split-GGUF",
            Files = { ["q8/tiny-Q8_0-00001-of-00002.gguf"] = parts[0], ["q8/tiny-Q8_0-00002-of-00002.gguf"] = parts[1] },
        });
        ModelManifest pulled = await _hub.Store.PullAsync("acme/Split-GGUF", cancellationToken: Ct);
        Assert.Equal(2, pulled.Files.Count);
        Assert.Equal(expectedParameters, pulled.ParameterCount);
        Assert.Equal(copied.SizeBytes, pulled.SizeBytes);
        Assert.Equal(3, (await _hub.Store.ListAsync(Ct)).Count);

        Assert.True(await _hub.Store.RemoveAsync(pulled.Name, Ct));
        Assert.True(await _hub.Store.RemoveAsync(referenced.Name, Ct));
        Assert.All(parts, p => Assert.True(File.Exists(p)));
        Assert.Equal(["local/copy"], (await _hub.Store.ListAsync(Ct)).Select(m => m.Name));
    }

    [Fact]
    public async Task PullOfLocalPathImportsByReference()
    {
        ModelManifest manifest = await _hub.Store.PullAsync(TestPaths.Stories260K, cancellationToken: Ct);

        Assert.True(manifest.IsReference);
        Assert.Equal("local/stories260K", manifest.Name);
        Assert.Equal(manifest.Name, (await _hub.Store.PullAsync(TestPaths.Stories260K, cancellationToken: Ct)).Name);
        Assert.Single(await _hub.Store.ListAsync(Ct));
    }

    [Theory]
    [InlineData("acme/Tiny-Chat-GGUF/../../escape.gguf")]
    [InlineData("acme/x/%2e%2e/escape.gguf")]
    public async Task RejectsTraversalReferences(string reference) =>
        await Assert.ThrowsAsync<InvalidModelReferenceException>(() => _hub.Store.PullAsync(reference, cancellationToken: Ct));

    [Fact]
    public async Task ConcurrentPullsOfSameModelDownloadOnce()
    {
        _hub.Server.WriteDelay = TimeSpan.FromMilliseconds(5);

        ModelManifest[] results = await Task.WhenAll(
            _hub.Store.PullAsync("stories260k", cancellationToken: Ct),
            _hub.Store.PullAsync("ggml-org/models/tinyllamas/stories260K.gguf", cancellationToken: Ct));

        Assert.Equal(results[0].Name, results[1].Name);
        Assert.Single(_hub.Server.Requests, r => r.StartsWith("GET /cdn/", StringComparison.Ordinal));
        Assert.Single(await _hub.Store.ListAsync(Ct));
    }
}
