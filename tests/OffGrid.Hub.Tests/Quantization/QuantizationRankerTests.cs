using OffGrid.Hub.Quantization;

namespace OffGrid.Hub.Tests.Quantization;

public sealed class QuantizationRankerTests
{
    private const long GiB = 1L << 30;

    [Theory]
    [InlineData("Llama-3.2-3B-Instruct-Q4_K_M.gguf", "Q4_K_M", false)]
    [InlineData("tinyllama-1.1b-chat-v1.0.Q5_K_S.gguf", "Q5_K_S", false)]
    [InlineData("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "Q4_K_M", false)]
    [InlineData("Qwen3-8B-UD-Q4_K_XL.gguf", "Q4_K_XL", true)]
    [InlineData("gemma-2-9b-it-IQ3_XXS.gguf", "IQ3_XXS", false)]
    [InlineData("model-bf16.gguf", "BF16", false)]
    [InlineData("sub/dir/Model_Q8_0.gguf", "Q8_0", false)]
    [InlineData("phi-3.5-mini-instruct-f16.gguf", "F16", false)]
    [InlineData("q6_k", "Q6_K", false)]
    public void ParsesQuantizationFromFileNames(string fileName, string expected, bool dynamic)
    {
        Assert.True(QuantizationType.TryParse(fileName, out QuantizationType? q));
        Assert.Equal(expected, q.Name);
        Assert.Equal(dynamic, q.IsDynamic);
        Assert.True(q.BitsPerWeight > 1);
    }

    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("README.md")]
    [InlineData("Q4-model-K.gguf")]
    public void IgnoresNamesWithoutQuantization(string fileName) => Assert.False(QuantizationType.TryParse(fileName, out _));

    [Fact]
    public void GroupsSplitFilesAndSkipsProjectorsAndIncompleteSets()
    {
        IReadOnlyList<ModelVariant> variants = ModelVariant.FromFiles(
        [
            ("m-Q8_0-00002-of-00002.gguf", 3 * GiB),
            ("m-Q8_0-00001-of-00002.gguf", 4 * GiB),
            ("m-Q4_K_M.gguf", 4 * GiB),
            ("m-F16-00001-of-00003.gguf", 5 * GiB),
            ("mmproj-m-f16.gguf", GiB),
            ("README.md", 10),
        ]);

        Assert.Equal(2, variants.Count);
        ModelVariant split = Assert.Single(variants, v => v.IsSplit);
        Assert.Equal(["m-Q8_0-00001-of-00002.gguf", "m-Q8_0-00002-of-00002.gguf"], split.Files);
        Assert.Equal(7 * GiB, split.SizeBytes);
        Assert.Equal("m-Q8_0.gguf", split.Name);
        Assert.Equal("Q8_0", split.Quantization!.Name);
    }

    [Fact]
    public void PrefersQ4KMThenQ5KMWithinBudget()
    {
        ModelVariant[] variants =
        [
            new(["m-Q8_0.gguf"], 8 * GiB),
            new(["m-Q5_K_M.gguf"], 5 * GiB),
            new(["m-Q4_K_M.gguf"], 4 * GiB),
            new(["m-Q2_K.gguf"], 2 * GiB),
            new(["m-F16.gguf"], 16 * GiB),
        ];

        Assert.Equal("m-Q4_K_M.gguf", new QuantizationRanker(64 * GiB).SelectBest(variants)!.PrimaryFile);
        Assert.Equal("m-Q5_K_M.gguf", new QuantizationRanker(64 * GiB).SelectBest(variants.Where(v => !v.Name.Contains("Q4", StringComparison.Ordinal)))!.PrimaryFile);
        Assert.Equal("m-Q2_K.gguf", new QuantizationRanker(3 * GiB).SelectBest(variants)!.PrimaryFile);
        Assert.Null(new QuantizationRanker(GiB).SelectBest(variants));
        Assert.Equal("m-F16.gguf", new QuantizationRanker(GiB).SelectBest(variants, "f16")!.PrimaryFile);
        Assert.Equal("m-Q2_K.gguf", new QuantizationRanker(GiB).Rank(variants)[0].PrimaryFile); // nothing fits: smallest first
    }

    [Fact]
    public void PlainVariantBeatsDynamicOfSameQuantization()
    {
        ModelVariant[] variants = [new(["m-UD-Q4_K_M.gguf"], 4 * GiB), new(["m-Q4_K_M.gguf"], 4 * GiB)];

        Assert.Equal("m-Q4_K_M.gguf", new QuantizationRanker(64 * GiB).SelectBest(variants)!.PrimaryFile);
    }

    [Fact]
    public void DefaultBudgetIsPositive() => Assert.True(QuantizationRanker.DefaultMemoryBudget() > 0);
}
