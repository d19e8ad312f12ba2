using OffGrid.Inference.Engine;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Engine.Speculation;

public sealed class SpeculativeDecodingTests(StoriesModel stories) : IClassFixture<StoriesModel>
{
    private readonly LlamaModel _stories = stories.Model;

    [Fact]
    public async Task PromptLookupKeepsGreedyOutputAndAcceptsDrafts()
    {
        (string plain, GenerationUpdate plainLast) = await RunAsync(new SpeculativeDecodingOptions());
        (string drafted, GenerationUpdate draftedLast) = await RunAsync(new SpeculativeDecodingOptions { NgramSize = 3, MaxDraftTokens = 8 });

        Assert.Equal(plain, drafted);
        Assert.Equal(plainLast.OutputTokenIds, draftedLast.OutputTokenIds);
        Assert.Equal(0, plainLast.DraftTokens);
        Assert.True(draftedLast.DraftTokens > 0, "the repeated story offers n-grams to look up");
        Assert.InRange(draftedLast.AcceptedDraftTokens, 1, draftedLast.DraftTokens);
    }

    [Fact]
    public async Task DraftModelKeepsGreedyOutputAndItsOwnDraftsAreAccepted()
    {
        (string plain, GenerationUpdate plainLast) = await RunAsync(new SpeculativeDecodingOptions());
        (string drafted, GenerationUpdate draftedLast) = await RunAsync(new SpeculativeDecodingOptions { DraftModelPath = TestPaths.Stories260K, MaxDraftTokens = 4 });

        Assert.Equal(plain, drafted);
        Assert.Equal(plainLast.OutputTokenIds, draftedLast.OutputTokenIds);

        // A model drafting for itself greedily guesses what the target picks, so nearly every draft token is kept.
        Assert.True(draftedLast.DraftTokens > 0);
        Assert.True(draftedLast.AcceptedDraftTokens >= draftedLast.DraftTokens * 9 / 10, $"{draftedLast.AcceptedDraftTokens} of {draftedLast.DraftTokens} accepted");
    }

    [Fact]
    public async Task SpeculationCoexistsWithOtherSequencesInTheBatch()
    {
        string paragraph = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. One day, Lily saw a big red ball. ";
        int[] prompt = EngineRuns.Tokenize(_stories, string.Concat(Enumerable.Repeat(paragraph, 4)));
        int[] other = EngineRuns.Tokenize(_stories, "Tom had a red boat. " + string.Concat(Enumerable.Repeat(paragraph, 3)));
        // Both engines batch their steps: a step decoded one sequence at a time (BatchSplitTuner) rounds differently.
        using var plainEngine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 512, SplitGenerationSteps = false });
        using var engine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 512, Speculation = { NgramSize = 3 }, SplitGenerationSteps = false });
        CancellationToken ct = TestContext.Current.CancellationToken;

        var expected = await Task.WhenAll(EngineRuns.GreedyAsync(plainEngine, prompt, 64, ct), EngineRuns.GreedyAsync(plainEngine, other, 64, ct));
        var actual = await Task.WhenAll(EngineRuns.GreedyAsync(engine, prompt, 64, ct), EngineRuns.GreedyAsync(engine, other, 64, ct));

        Assert.Equal(expected[0].Text, actual[0].Text);
        Assert.Equal(expected[1].Text, actual[1].Text);
        // Both sequences draft in the same steps, so each one's draft logits follow the other's next token in the batch.
        Assert.True(actual[0].Last.AcceptedDraftTokens > 0 && actual[1].Last.AcceptedDraftTokens > 0, $"{actual[0].Last.AcceptedDraftTokens}, {actual[1].Last.AcceptedDraftTokens}");
    }

    [Fact]
    public async Task DraftModelWithAnotherVocabularyIsRefusedNamingBothModels()
    {
        var options = new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Speculation = { DraftModelPath = TestLlamaModels.Tiny } };

        ModelLoadException error = Assert.Throws<ModelLoadException>(() => new LlamaEngine(_stories, options));

        Assert.Contains(TestLlamaModels.Tiny, error.Message, StringComparison.Ordinal);
        Assert.Contains(_stories.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot draft for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DraftModelAndNgramTogetherAreRefused()
    {
        var options = new LlamaEngineOptions { Speculation = { DraftModelPath = TestPaths.Stories260K, NgramSize = 3 } };

        ArgumentException error = Assert.Throws<ArgumentException>(() => new LlamaEngine(_stories, options));

        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NgramDrafterCopiesWhatFollowedTheLatestEarlierOccurrence()
    {
        var drafter = new NgramDrafter(2);
        Span<int> draft = stackalloc int[3];

        // History 1 2 3 4 | 1 2 9 | 1, next 2: "1 2" last occurred before "9", so 9 1 2 is drafted.
        int count = drafter.Draft(0, [1, 2, 3, 4, 1, 2, 9, 1], 2, draft);

        Assert.Equal([9, 1, 2], draft[..count].ToArray());
        Assert.Equal(0, drafter.Draft(0, [5, 6, 7], 8, draft));
    }

    private async Task<(string Text, GenerationUpdate Last)> RunAsync(SpeculativeDecodingOptions speculation)
    {
        using var engine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 512, Speculation = speculation });
        return await EngineRuns.GreedyAsync(engine, EngineRuns.Tokenize(_stories, EngineRuns.RepeatingStory), 64, TestContext.Current.CancellationToken);
    }
}
