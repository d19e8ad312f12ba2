using Microsoft.Extensions.AI;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Engine;

public sealed class KvCacheTypeTests
{
    // Quantized cache blocks hold 32 values, so the head length must be a multiple of 32 (stories260K's is 8).
    private static readonly TestLlamaModelSpec s_spec = new() { EmbeddingLength = 128, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 256 };

    [Theory]
    [InlineData(GgmlType.F16, GgmlType.F16, null)]
    [InlineData(GgmlType.Q8_0, GgmlType.Q8_0, true)]
    [InlineData(GgmlType.Q4_0, GgmlType.Q8_0, null)]
    [InlineData(GgmlType.Q8_0, GgmlType.F16, false)]
    public async Task GenerationWorksWithEveryCacheType(GgmlType keys, GgmlType values, bool? flashAttention)
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(s_spec), cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions
        {
            ParallelSequences = 1, ContextSize = 128, CacheTypeK = keys, CacheTypeV = values, FlashAttention = flashAttention,
        });
        using var client = new LlamaChatClient(engine);
        ChatResponse response = await client.GetResponseAsync(
            "hello there", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 }, TestContext.Current.CancellationToken);
        Assert.NotEqual(0, response.Usage?.OutputTokenCount ?? 0);
    }

    [Fact]
    public async Task QuantizedCacheShrinksTheMemoryEstimate()
    {
        GgufFile file = await GgufFile.ReadAsync(TestLlamaModels.GetOrCreate(s_spec), TestContext.Current.CancellationToken);
        long f16 = ModelMemoryEstimate.Create(file, 4096).KvCacheBytes;
        long q8 = ModelMemoryEstimate.Create(file, 4096, GgmlType.Q8_0, GgmlType.Q8_0).KvCacheBytes;
        long q4 = ModelMemoryEstimate.Create(file, 4096, GgmlType.Q4_0, GgmlType.Q4_0).KvCacheBytes;
        Assert.Equal(f16 * 34 / 64, q8);
        Assert.Equal(f16 * 18 / 64, q4);
    }

    [Fact]
    public async Task QuantizedValuesWithoutFlashAttentionAreRefusedClearly()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(s_spec), cancellationToken: TestContext.Current.CancellationToken);
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            new LlamaEngine(model, new LlamaEngineOptions { CacheTypeV = GgmlType.Q4_0, FlashAttention = false }));
        Assert.Contains("flash attention", error.Message, StringComparison.Ordinal);
    }

    // stories260K's heads hold 8 values, fewer than one 32-value block: without flash attention llama.cpp would accept a
    // quantized key cache and write garbage text; with it, it refuses in its log only.
    [Theory]
    [InlineData(GgmlType.Q8_0, null, false, "K cache type q8_0: its block size 32 does not divide the model's key head size 8")]
    [InlineData(GgmlType.Q4_0, null, null, "K cache type q4_0: its block size 32 does not divide the model's key head size 8")]
    [InlineData(null, GgmlType.Q8_0, null, "V cache type q8_0: its block size 32 does not divide the model's value head size 8")]
    public async Task CacheTypesTheModelsHeadsCannotHoldAreRefusedBeforeTheContext(GgmlType? keys, GgmlType? values, bool? flashAttention, string expected)
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        UnsupportedCacheTypeException error = Assert.Throws<UnsupportedCacheTypeException>(() => new LlamaEngine(model, new LlamaEngineOptions
        {
            ParallelSequences = 1, ContextSize = 64, CacheTypeK = keys, CacheTypeV = values, FlashAttention = flashAttention,
        }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(keys ?? values, error.CacheType);
        Assert.Equal(keys is null ? nameof(LlamaEngineOptions.CacheTypeV) : nameof(LlamaEngineOptions.CacheTypeK), error.Setting);
    }

    [Fact]
    public async Task FloatCacheTypesFitAnyHeadSize()
    {
        GgufFile stories = await GgufFile.ReadAsync(TestPaths.Stories260K, TestContext.Current.CancellationToken);
        Assert.Equal(8, stories.KeyLength);
        Assert.Equal(8, stories.ValueLength);
        new LlamaEngineOptions { CacheTypeK = GgmlType.BF16, CacheTypeV = GgmlType.F32 }.EnsureCacheTypesFit(stories, "stories260K");
    }

    [Fact]
    public void TypesLlamaCppDoesNotAcceptAreRefused()
    {
        var options = new LlamaEngineOptions { CacheTypeK = GgmlType.Q2_K };
        string error = Assert.Single(options.GetCacheTypeErrors());
        Assert.Contains("CacheTypeK q2_k", error, StringComparison.Ordinal);
        Assert.Contains("q8_0", error, StringComparison.Ordinal);
    }
}
