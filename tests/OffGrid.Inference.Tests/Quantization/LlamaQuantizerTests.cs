using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Hub.Store;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Quantization;
using OffGrid.Inference.Tests.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Quantization;

public sealed class LlamaQuantizerTests : IDisposable
{
    // Rows of 256 so that K-quants (blocks of 256) apply to every matrix instead of falling back.
    internal static readonly TestLlamaModelSpec F32Model = new() { EmbeddingLength = 256, FeedForwardLength = 256 };
    internal static readonly TestLlamaModelSpec F16Model = F32Model with { WeightType = GgufTensorType.F16 };

    private readonly string _dir = TestPaths.NewTempDir("quantize");
    private readonly LlamaQuantizer _quantizer = new(LlamaModelPoolTests.SmallPool(TimeSpan.Zero).Runtime);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task F32ToQ8_0QuantizesEveryMatrixReportsEachTensorAndGenerates()
    {
        string source = TestLlamaModels.GetOrCreate(F32Model);
        string output = Path.Combine(_dir, "q8.gguf");
        var reports = new ConcurrentQueue<QuantizationProgress>();

        await _quantizer.QuantizeFileAsync(source, output, "q8_0", new SynchronousProgress<QuantizationProgress>(reports.Enqueue), TestContext.Current.CancellationToken);

        GgufFile written = await GgufFile.ReadAsync(output, TestContext.Current.CancellationToken);
        Assert.Equal(7L, written.FileType);
        Assert.All(written.Tensors.Where(t => t.Dimensions.Count(d => d > 1) == 2), t => Assert.Equal(GgmlType.Q8_0, t.Type));
        Assert.All(written.Tensors.Where(t => t.Dimensions.Count(d => d > 1) == 1), t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.True(new FileInfo(output).Length < new FileInfo(source).Length / 3, "Q8_0 is about a quarter of F32");
        Assert.Equal(written.Tensors.Count, reports.Count);
        Assert.Equal(Enumerable.Range(1, written.Tensors.Count), reports.Select(r => r.Tensor));
        Assert.All(reports, r => Assert.Equal(written.Tensors.Count, r.TensorCount));
        Assert.All(reports, r => Assert.Equal(0, r.FallbackTensors)); // rows of 256 fit Q8_0's blocks
        Assert.Contains(reports, r => r.TensorName == "blk.0.attn_q.weight");
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.partial-*"));

        using var pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.Zero));
        using LlamaModelLease lease = await pool.AcquireAsync(output, cancellationToken: TestContext.Current.CancellationToken);
        ChatResponse response = await lease.ChatClient.GetResponseAsync("the", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, TestContext.Current.CancellationToken);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task F16ToQ4_K_MWritesKQuantMixThatGenerates()
    {
        string source = TestLlamaModels.GetOrCreate(F16Model);
        string output = Path.Combine(_dir, "q4km.gguf");

        QuantizationTarget target = await _quantizer.QuantizeFileAsync(source, output, "Q4_K_M", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Q4_K_M", target.Name);
        GgufFile written = await GgufFile.ReadAsync(output, TestContext.Current.CancellationToken);
        Assert.Equal(15L, written.FileType);
        Assert.Equal("Q4_K_M", written.QuantizationLabel);
        GgufTensorInfo[] matrices = written.Tensors.Where(t => t.Dimensions.Count(d => d > 1) == 2).ToArray();
        Assert.All(matrices, t => Assert.Contains(t.Type, new[] { GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K }));
        Assert.Contains(matrices, t => t.Type == GgmlType.Q4_K);

        using var pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.Zero));
        using LlamaModelLease lease = await pool.AcquireAsync(output, cancellationToken: TestContext.Current.CancellationToken);
        ChatResponse response = await lease.ChatClient.GetResponseAsync("the", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, TestContext.Current.CancellationToken);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
    }

    [Theory]
    [InlineData("Q9_9", QuantizationProblem.UnknownType, "not a quantization type")]
    [InlineData("F16", QuantizationProblem.NotSmaller, "would not reduce its precision")]
    [InlineData("F32", QuantizationProblem.NotSmaller, "would not reduce its precision")]
    public async Task NonsenseTypesAreRefusedBeforeAnythingIsWritten(string type, QuantizationProblem problem, string message)
    {
        string output = Path.Combine(_dir, "out.gguf");
        QuantizationException ex = await Assert.ThrowsAsync<QuantizationException>(() => _quantizer.QuantizeFileAsync(TestLlamaModels.GetOrCreate(F16Model), output, type, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(problem, ex.Problem);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    // stories260K's rows hold 64 weights, fewer than these types' 256-weight blocks: llama.cpp's own per-tensor check comes
    // after its fallbacks, so without this refusal it writes other types for every tensor and labels the file IQ2_XXS.
    [Theory]
    [InlineData("IQ2_XXS")]
    [InlineData("iq1_s")]
    [InlineData("Q2_K_S")]
    public async Task TypesThatNeedAnImportanceMatrixAreRefusedWhateverTheModelsShape(string type)
    {
        string output = Path.Combine(_dir, "iq.gguf");
        QuantizationException ex = await Assert.ThrowsAsync<QuantizationException>(() => _quantizer.QuantizeFileAsync(TestPaths.Stories260K, output, type, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(QuantizationProblem.NeedsImportanceMatrix, ex.Problem);
        Assert.Contains($"{type.ToUpperInvariant()} needs an importance matrix", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task TensorsWrittenAsAnotherTypeAreCounted()
    {
        string output = Path.Combine(_dir, "stories-q4km.gguf");
        var reports = new ConcurrentQueue<QuantizationProgress>();
        await _quantizer.QuantizeFileAsync(TestPaths.Stories260K, output, "Q4_K_M", new SynchronousProgress<QuantizationProgress>(reports.Enqueue), TestContext.Current.CancellationToken);

        // Rows of 64 fit no K-quant block (256): every matrix llama.cpp quantizes falls back to a 32-block type.
        GgufFile written = await GgufFile.ReadAsync(output, TestContext.Current.CancellationToken);
        GgufTensorInfo[] quantized = [.. written.Tensors.Where(t => t.Dimensions.Count(d => d > 1) == 2 && t.Type != GgmlType.F32)];
        Assert.DoesNotContain(quantized, t => t.Type is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K);
        // output.weight is the exception: llama.cpp's mix picks Q8_0 for it outright when its rows do not fit a K block.
        Assert.Equal(GgmlType.Q8_0, Assert.Single(quantized, t => t.Name == "output.weight").Type);
        Assert.Equal(quantized.Length - 1, reports.Last().FallbackTensors);
        Assert.Equal("Q4_K_M", written.QuantizationLabel); // general.file_type as llama.cpp wrote it
    }

    [Fact]
    public async Task QuantizingUpFromAQ8_0SourceIsRefused()
    {
        string q8 = Path.Combine(_dir, "q8.gguf");
        await _quantizer.QuantizeFileAsync(TestLlamaModels.GetOrCreate(F32Model), q8, "Q8_0", cancellationToken: TestContext.Current.CancellationToken);
        QuantizationException ex = await Assert.ThrowsAsync<QuantizationException>(() => _quantizer.QuantizeFileAsync(q8, Path.Combine(_dir, "up.gguf"), "Q8_0", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(QuantizationProblem.NotSmaller, ex.Problem);
        Assert.Contains("The model is Q8_0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonGgufSourceAndAnExistingOutputAreRefused()
    {
        string text = Path.Combine(_dir, "notes.gguf");
        await File.WriteAllTextAsync(text, "not a model", TestContext.Current.CancellationToken);
        QuantizationException notGguf = await Assert.ThrowsAsync<QuantizationException>(() => _quantizer.QuantizeFileAsync(text, Path.Combine(_dir, "x.gguf"), "Q8_0", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(QuantizationProblem.NotGguf, notGguf.Problem);

        string existing = Path.Combine(_dir, "existing.gguf");
        await File.WriteAllTextAsync(existing, "keep me", TestContext.Current.CancellationToken);
        QuantizationException exists = await Assert.ThrowsAsync<QuantizationException>(() => _quantizer.QuantizeFileAsync(TestLlamaModels.GetOrCreate(F32Model), existing, "Q8_0", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(QuantizationProblem.OutputExists, exists.Problem);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CancellingMidWayReturnsAtOnceAndNoOutputEverAppears()
    {
        string output = Path.Combine(_dir, "cancelled.gguf");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var started = new SynchronousProgress<QuantizationProgress>(_ => cts.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _quantizer.QuantizeFileAsync(TestLlamaModels.GetOrCreate(F32Model), output, "Q4_K_M", started, cts.Token));

        // The native call runs to its end in the background; then its partial file is deleted.
        for (int i = 0; i < 300 && Directory.EnumerateFiles(_dir, "*.partial-*").Any(); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Empty(Directory.EnumerateFiles(_dir));
    }

    [Fact]
    public async Task ModelQuantizerAddsTheResultToTheStoreAndClearsAbandonedPartials()
    {
        ServiceProvider services = new ServiceCollection()
            .AddOffGridHub(o => o.HomeDirectory = _dir)
            .AddOffGridInference(o => o.Pool.Runtime = LlamaModelPoolTests.SmallPool(TimeSpan.Zero).Runtime)
            .BuildServiceProvider();
        await using (services)
        {
            ModelStore store = services.GetRequiredService<ModelStore>();
            await store.ImportAsync(TestLlamaModels.GetOrCreate(F32Model), "local/tiny-F32", copy: true, TestContext.Current.CancellationToken);
            string work = Path.Combine(store.RootDirectory, ".quantizing");
            string abandonedRun = Directory.CreateDirectory(Path.Combine(work, "0123")).FullName;
            string abandoned = Path.Combine(abandonedRun, "old.gguf.partial-x");
            await File.WriteAllTextAsync(abandoned, "left by a killed process", TestContext.Current.CancellationToken);
            File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
            Directory.SetLastWriteTimeUtc(abandonedRun, DateTime.UtcNow.AddHours(-2));

            ModelManifest manifest = await services.GetRequiredService<ModelQuantizer>().QuantizeAsync("tiny-F32", "Q8_0", cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal("local/tiny-Q8_0", manifest.Name);
            Assert.Equal("Q8_0", manifest.Quantization);
            Assert.Equal(["local/tiny-F32", "local/tiny-Q8_0"], (await store.ListAsync(TestContext.Current.CancellationToken)).Select(m => m.Name));
            Assert.Empty(Directory.EnumerateFileSystemEntries(work));
            Assert.Equal(Path.GetFileNameWithoutExtension(TestLlamaModels.GetOrCreate(F32Model)) + "-Q8_0.gguf", Path.GetFileName(manifest.PrimaryFilePath));
            QuantizationException exists = await Assert.ThrowsAsync<QuantizationException>(() => services.GetRequiredService<ModelQuantizer>().QuantizeAsync("tiny-F32", "Q8_0", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(QuantizationProblem.OutputExists, exists.Problem);
        }
    }

    [Theory]
    [InlineData("local/tiny-F32", "local/tiny-Q8_0")]
    [InlineData("owner/repo:F16", "owner/repo-Q8_0")]
    [InlineData("My Model (v2)", "local/My-Model--v2--Q8_0")]
    public void TheDefaultOutputNameIsOneTheStoreTakes(string source, string expected)
    {
        string name = ModelQuantizer.DefaultOutputName(source, QuantizationTarget.Find("Q8_0")!);

        Assert.Equal(expected, name);
        Assert.Null(ModelNames.Problem(name));
    }

    [Fact]
    public void EveryRuntimeTypeHasAUniqueNameAndFileType()
    {
        Assert.Equal(QuantizationTarget.All.Count, QuantizationTarget.All.Select(t => t.FileType).Distinct().Count());
        Assert.Equal("Q4_K_M", QuantizationTarget.Find("q4_k")?.Name);
        Assert.Null(QuantizationTarget.Find("Q4_K_XL"));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
