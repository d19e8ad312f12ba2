using OffGrid.Inference.Engine;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Models;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Engine.Speculation;

/// <summary>
/// Speculation's benefit path on a model whose greedy answer repeats its prompt (<see cref="TestLlamaModelSpec.RepeatCycleLength"/>),
/// the small sibling of the <c>features</c> bench's model: drafts are made and nearly all of them are kept.
/// </summary>
public sealed class RepeatModelSpeculationTests : IAsyncLifetime
{
    private const int OutputTokens = 48;

    // Q4_0, as in the bench; 256 dimensions keep each token's own row far ahead of the other 511 after quantization.
    private static readonly TestLlamaModelSpec s_target = new()
    {
        EmbeddingLength = 256, BlockCount = 2, HeadCount = 4, HeadCountKv = 4, FeedForwardLength = 512,
        WeightType = GgufTensorType.Q4_0, RepeatCycleLength = 24, Seed = 17,
    };

    // Another shape with the same vocabulary and seed walks the same cycles.
    private static readonly TestLlamaModelSpec s_draft = s_target with { EmbeddingLength = 128, BlockCount = 1, HeadCount = 2, HeadCountKv = 2, FeedForwardLength = 256 };

    private LlamaModel _model = null!;
    private int[] _prompt = null!;
    private int[] _walk = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(s_target));

        // BOS, then the first cycle three times less its last 5 tokens: the answer carries on around the cycle.
        int[] cycle = TestLlamaModels.RepeatCycles(s_target)[0];
        int[] walk = [.. Enumerable.Range(0, 200).Select(i => cycle[i % cycle.Length])];
        int promptWalk = (3 * cycle.Length) - 5;
        _prompt = [1, .. walk[..promptWalk]];
        _walk = walk[promptWalk..(promptWalk + OutputTokens)];
    }

    public ValueTask DisposeAsync()
    {
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GreedyAnswerContinuesTheCycleAndPromptLookupDraftsIt()
    {
        GenerationUpdate plain = await RunAsync(new SpeculativeDecodingOptions());
        GenerationUpdate drafted = await RunAsync(new SpeculativeDecodingOptions { NgramSize = 3, MaxDraftTokens = 8 });

        Assert.Equal(_walk, plain.OutputTokenIds);
        Assert.Equal(plain.OutputTokenIds, drafted.OutputTokenIds);
        Assert.Equal(0, plain.DraftTokens);
        Assert.True(drafted.DraftTokens >= OutputTokens / 2, $"{drafted.DraftTokens} drafted");
        Assert.True(drafted.AcceptedDraftTokens > drafted.DraftTokens * 0.9, $"{drafted.AcceptedDraftTokens} of {drafted.DraftTokens} accepted");
    }

    [Fact]
    public async Task SmallerDraftModelOfTheSameConstructionIsAccepted()
    {
        GenerationUpdate drafted = await RunAsync(new SpeculativeDecodingOptions { DraftModelPath = TestLlamaModels.GetOrCreate(s_draft), MaxDraftTokens = 4 });

        Assert.Equal(_walk, drafted.OutputTokenIds);
        Assert.True(drafted.DraftTokens >= OutputTokens / 2, $"{drafted.DraftTokens} drafted");
        Assert.True(drafted.AcceptedDraftTokens > drafted.DraftTokens * 0.9, $"{drafted.AcceptedDraftTokens} of {drafted.DraftTokens} accepted");
    }

    private async Task<GenerationUpdate> RunAsync(SpeculativeDecodingOptions speculation)
    {
        using var engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Speculation = speculation });
        return (await EngineRuns.GreedyAsync(engine, _prompt, OutputTokens, TestContext.Current.CancellationToken)).Last;
    }
}
