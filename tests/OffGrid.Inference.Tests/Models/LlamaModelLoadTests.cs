using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Models;

public sealed class LlamaModelLoadTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDir();

    public async ValueTask InitializeAsync() => await TestRuntime.EnsureLoadedAsync();

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task LoadsStoriesWithMetadata()
    {
        var progress = new List<float>();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, progress: new SynchronousProgress(progress.Add), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("llama", model.File.Architecture);
        Assert.Equal(512, model.VocabularySize);
        Assert.Equal("stories260K", model.Id);
        Assert.True(model.ParameterCount > 200_000);
        Assert.Equal("Once upon a time", model.Detokenize(model.Tokenize("Once upon a time", addSpecial: false)).TrimStart());
        Assert.NotEmpty(progress);
    }

    [Fact]
    public async Task MissingFileIsFileNotFound()
    {
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => LlamaModel.LoadAsync(Path.Combine(_dir, "missing.gguf"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("missing.gguf", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonGgufFileIsAModelLoadError()
    {
        string path = Path.Combine(_dir, "notes.gguf");
        await File.WriteAllTextAsync(path, "this is plain text, not a model", TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => LlamaModel.LoadAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("not a valid GGUF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedGgufIsAModelLoadError()
    {
        string path = Path.Combine(_dir, "truncated.gguf");
        byte[] bytes = await File.ReadAllBytesAsync(TestPaths.Stories260K, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ModelLoadException>(() => LlamaModel.LoadAsync(path, cancellationToken: TestContext.Current.CancellationToken));

        // The process is still healthy: a good model loads afterwards.
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(512, model.VocabularySize);
    }

    [Fact]
    public async Task TruncatedGgufErrorNamesThePathOnceAndSaysWhatIsMissing()
    {
        string path = Path.Combine(_dir, "cut.gguf");
        byte[] bytes = await File.ReadAllBytesAsync(TestLlamaModels.Tiny, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length - 100)], TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => LlamaModel.LoadAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("ends at byte", ex.Message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(ex.Message, System.Text.RegularExpressions.Regex.Escape(path)));
    }

    // llama.cpp logs the cause and then generic lines ("failed to load model"): the exception carries the cause.
    [Fact]
    public async Task LlamaCppLoadErrorCarriesTheSpecificCause()
    {
        string path = Path.Combine(_dir, "incomplete.gguf");
        TestLlamaModels.CreateWriter(new TestLlamaModelSpec()).WithoutTensor("blk.1.ffn_norm.weight").Write(path);
        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => LlamaModel.LoadAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.True(ex.Message.Contains("tensor 'blk.1.ffn_norm.weight' not found", StringComparison.Ordinal), ex.Message);
        Assert.DoesNotContain("failed to load model", ex.Message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(ex.Message, System.Text.RegularExpressions.Regex.Escape(path)));
    }

    // gguf-split output loads from any of its parts, with the whole model's parameters.
    [Fact]
    public async Task SplitModelLoadsFromAnyPart()
    {
        var spec = new TestLlamaModelSpec();
        IReadOnlyList<string> parts = TestLlamaModels.CreateWriter(spec).WriteSplit(Path.Combine(_dir, "tiny"), 2);
        using LlamaModel whole = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(spec), cancellationToken: TestContext.Current.CancellationToken);
        foreach (string part in parts)
        {
            using LlamaModel split = await LlamaModel.LoadAsync(part, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(parts[0], split.Path);
            Assert.Equal(whole.ParameterCount, split.ParameterCount);
            Assert.Equal(whole.ParameterCount, split.File.ParameterCount);
            Assert.Equal(whole.Tokenize("the cat"), split.Tokenize("the cat"));
        }
    }

    [Fact]
    public async Task UnknownArchitectureIsAModelLoadErrorNamingIt()
    {
        string path = Path.Combine(_dir, "alien.gguf");
        TestLlamaModels.Write(new TestLlamaModelSpec { Architecture = "alienformer" }, path);
        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => LlamaModel.LoadAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("alienformer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelThatWillNotFitIsRefusedBeforeLoading()
    {
        var ex = await Assert.ThrowsAsync<InsufficientMemoryException>(() => LlamaModel.LoadAsync(
            TestLlamaModels.Tiny, new LlamaModelOptions { PlannedContextSize = 2_000_000_000 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("is available", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledLoadThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LlamaModel.LoadAsync(TestLlamaModels.Tiny, cancellationToken: cts.Token));
    }

    private sealed class SynchronousProgress(Action<float> report) : IProgress<float>
    {
        public void Report(float value) => report(value);
    }
}
