using OffGrid.Hub.Gguf;
using OffGrid.Testing.Gguf;

namespace OffGrid.Hub.Tests.Gguf;

public sealed class ModelMemoryEstimateTests
{
    [Theory]
    [InlineData(GgmlType.F32, 256, 1024)]
    [InlineData(GgmlType.F16, 256, 512)]
    [InlineData(GgmlType.Q8_0, 256, 272)]
    [InlineData(GgmlType.Q4_0, 256, 144)]
    [InlineData(GgmlType.Q4_K, 256, 144)]
    [InlineData(GgmlType.Q6_K, 512, 420)]
    [InlineData(GgmlType.IQ4_XS, 256, 136)]
    [InlineData(GgmlType.BF16, 3, 6)]
    [InlineData(GgmlType.Q1_0, 256, 36)]
    [InlineData(GgmlType.Q2_0, 256, 72)]
    [InlineData(GgmlType.NVFP4, 128, 72)]
    public void ComputesBlockQuantSizes(GgmlType type, long elements, long bytes) =>
        Assert.Equal(bytes, GgmlTypeLayout.GetByteCount(type, elements));

    [Fact]
    public void EveryTypeOfGgmlHHasALayout() =>
        Assert.All(Enum.GetValues<GgmlType>(), type => Assert.True(GgmlTypeLayout.TryGetBlock(type, out _, out _), $"{type} has no block layout"));

    [Fact]
    public void UnknownTypeHasNoSize() => Assert.Null(GgmlTypeLayout.GetByteCount((GgmlType)99, 10));

    [Fact]
    public async Task EstimatesWeightsAndGqaKvCache()
    {
        // 4 layers, 512 wide, 8 heads of 64, 2 KV heads: n_embd_k_gqa = n_embd_v_gqa = 128.
        var writer = new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddUInt32("llama.context_length", 2048)
            .AddUInt32("llama.embedding_length", 512)
            .AddUInt32("llama.block_count", 4)
            .AddUInt32("llama.attention.head_count", 8)
            .AddUInt32("llama.attention.head_count_kv", 2)
            .AddTensor("w", [64, 4], GgufFileTests.RandomFloats(256, 1), GgufTensorType.Q8_0)
            .AddTensor("n", [64], GgufFileTests.RandomFloats(64, 2));
        using var stream = new MemoryStream();
        writer.Write(stream);
        stream.Position = 0;
        GgufFile file = await GgufFile.ReadAsync(stream, TestContext.Current.CancellationToken);

        ModelMemoryEstimate estimate = ModelMemoryEstimate.Create(file, 1000);
        ModelMemoryEstimate atTraining = ModelMemoryEstimate.Create(file);

        Assert.Equal(272 + 256, estimate.WeightsBytes);
        Assert.Equal(4L * 1000 * (128 + 128) * 2, estimate.KvCacheBytes);
        Assert.Equal(estimate.WeightsBytes + estimate.KvCacheBytes, estimate.TotalBytes);
        Assert.Equal(2048, atTraining.ContextLength);
        Assert.Equal(4L * 2048 * 256 * 2, atTraining.KvCacheBytes);
        Assert.Equal(4L * 1000 * 256 * 34 / 32, ModelMemoryEstimate.GetKvCacheBytes(file, 1000, GgmlType.Q8_0));

        // Keys and values may be stored differently (llama.cpp's --cache-type-k / --cache-type-v).
        ModelMemoryEstimate mixed = ModelMemoryEstimate.Create(file, 1000, GgmlType.Q8_0, GgmlType.Q4_0);
        Assert.Equal((4L * 1000 * 128 * 34 / 32) + (4L * 1000 * 128 * 18 / 32), mixed.KvCacheBytes);
        Assert.Equal((GgmlType.Q8_0, GgmlType.Q4_0), (mixed.KvCacheType, mixed.ValueCacheType));
    }
}
