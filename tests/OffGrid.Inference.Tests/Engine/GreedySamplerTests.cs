using OffGrid.Inference.Engine;
using OffGrid.Inference.Native;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Engine;

public sealed class GreedySamplerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(512)]
    [InlineData(32001)]
    public void ChoosesWhatAStrictlyGreaterScanChooses(int length)
    {
        var random = new Random(length);
        for (int round = 0; round < 20; round++)
        {
            // Few distinct values, so ties are common and the first of equal maxima must win.
            float[] logits = Enumerable.Range(0, length).Select(_ => (float)random.Next(-4, 5)).ToArray();
            Assert.Equal(Reference(logits), GreedySampler.ArgMax(logits));
        }
    }

    [Fact]
    public void FollowsLlamaCppsRuleForNaN()
    {
        // llama.cpp's greedy sampler keeps index 0 when it is NaN (nothing compares greater) and never picks a later NaN.
        float[] first = [float.NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        float[] later = [0, 1, float.NaN, 3, 4, 5, 6, 7, 9, float.NaN, 2];
        Assert.Equal(0, GreedySampler.ArgMax(first));
        Assert.Equal(8, GreedySampler.ArgMax(later));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(32000)]
    public async Task ChoosesWhatLlamaCppsGreedySamplerChooses(int vocabulary)
    {
        await TestRuntime.EnsureLoadedAsync();
        var random = new Random(vocabulary);
        using SafeLlamaSamplerHandle greedy = LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params());
        LlamaNative.llama_sampler_chain_add(greedy, LlamaNative.llama_sampler_init_greedy());
        for (int round = 0; round < 50; round++)
        {
            // Coarse values make ties common; now and then a NaN, as a broken model could produce.
            float[] logits = Enumerable.Range(0, vocabulary).Select(_ => random.Next(50) == 0 ? float.NaN : random.Next(-8, 9) * 0.5f).ToArray();
            Assert.Equal(LlamaCppChoice(greedy, logits), GreedySampler.ArgMax(logits));
        }
    }

    private static unsafe int LlamaCppChoice(SafeLlamaSamplerHandle sampler, float[] logits)
    {
        var candidates = new LlamaTokenData[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            candidates[i] = new LlamaTokenData { Id = i, Logit = logits[i] };
        }

        fixed (LlamaTokenData* data = candidates)
        {
            var array = new LlamaTokenDataArray { Data = data, Size = (nuint)candidates.Length, Selected = -1 };
            LlamaNative.llama_sampler_apply(sampler, &array);
            return candidates[array.Selected].Id;
        }
    }

    private static int Reference(float[] logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }
}
