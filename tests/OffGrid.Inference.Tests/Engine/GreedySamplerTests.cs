using System.Threading.Channels;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
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

    [Fact]
    public async Task EngineOutputMatchesLlamaCppsGreedySampler()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1 });
        int[] prompt = EngineRuns.Tokenize(model, "Once upon a time");

        // A repeat penalty over the last 0 tokens leaves the logits alone but needs llama.cpp's own sampler chain.
        IReadOnlyList<int> direct = await RunAsync(engine, prompt, new SamplingParameters { Temperature = 0 });
        IReadOnlyList<int> chained = await RunAsync(engine, prompt, new SamplingParameters { Temperature = 0, RepeatPenalty = 1.5f, RepeatLastN = 0 });

        Assert.Equal(96, direct.Count);
        Assert.Equal(chained, direct);
    }

    private static async Task<IReadOnlyList<int>> RunAsync(LlamaEngine engine, int[] prompt, SamplingParameters sampling)
    {
        ChannelReader<GenerationUpdate> reader = engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = sampling,
            MaxOutputTokens = 96,
            IgnoreEndOfGeneration = true,
            CancellationToken = TestContext.Current.CancellationToken,
        });
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in reader.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            last = update;
        }

        return last.OutputTokenIds;
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
