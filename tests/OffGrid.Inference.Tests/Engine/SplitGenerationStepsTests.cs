using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Tests.Engine;

public sealed class SplitGenerationStepsTests(StoriesModel stories) : IClassFixture<StoriesModel>
{
    // The middle request ends after 4 tokens while the others go on, so later split steps skip its slot.
    private static readonly (string Prompt, int MaxTokens)[] s_requests = [("Once upon a time, there was a little girl", 48), ("Tom had a red boat. One day", 4), ("The sun was hot and the dog", 48)];
    private readonly LlamaModel _stories = stories.Model;

    [Fact]
    public async Task SequencesDecodedOneByOneContinueExactlyAsEachAlone()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var alone = new List<GenerationUpdate>();
        using (var single = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1 }))
        {
            foreach ((string prompt, int maxTokens) in s_requests)
            {
                alone.Add((await EngineRuns.GreedyAsync(single, EngineRuns.Tokenize(_stories, prompt), maxTokens, ct)).Last);
            }
        }

        using var engine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 3, ContextSize = 256, Threads = 1, SplitGenerationSteps = true });
        (string Text, GenerationUpdate Last)[] together = await Task.WhenAll(s_requests.Select(r => EngineRuns.GreedyAsync(engine, EngineRuns.Tokenize(_stories, r.Prompt), r.MaxTokens, ct)));

        for (int i = 0; i < s_requests.Length; i++)
        {
            Assert.Equal(alone[i].OutputTokenIds, together[i].Last.OutputTokenIds);
            Assert.Equal(alone[i].Finish, together[i].Last.Finish);
        }

        Assert.Equal(4, together[1].Last.OutputTokens);
        Assert.True(together[0].Last.OutputTokens > 4 && together[2].Last.OutputTokens > 4, "the others went on after the short one ended");
    }
}
