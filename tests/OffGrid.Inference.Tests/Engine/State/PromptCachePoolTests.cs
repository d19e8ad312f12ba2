using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Engine.State;

public sealed class PromptCachePoolTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "offgrid-pool-states-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task SavedPromptSurvivesEvictionAndServesTheReloadedModel()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var pool = new LlamaModelPool(new LlamaModelPoolOptions
        {
            MaxLoadedModels = 1,
            Runtime = new() { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = OffGrid.Inference.Runtime.LlamaRuntimeVariant.Cpu },
            Engine = { ParallelSequences = 1, ContextSize = 512, PromptCache = { Enabled = true, Directory = _folder, MinTokens = 16 } },
        });
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 16, AdditionalProperties = new() { [LlamaChatOptions.RawPromptKey] = true } };
        using IChatClient stories = pool.CreateChatClient(TestPaths.Stories260K);

        ChatResponse cold = await stories.GetResponseAsync(EngineRuns.RepeatingStory, options, ct);

        // Loading another model evicts stories260K (one model at most); the next request loads it again.
        using (IChatClient other = pool.CreateChatClient(TestLlamaModels.Tiny))
        {
            await other.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 2, AdditionalProperties = new() { [LlamaChatOptions.RawPromptKey] = true } }, ct);
        }

        Assert.DoesNotContain(pool.GetLoadedModels(), m => m.Path == Path.GetFullPath(TestPaths.Stories260K));
        ChatResponse restored = await stories.GetResponseAsync(EngineRuns.RepeatingStory, options, ct);

        Assert.Equal(cold.Text, restored.Text);
        Assert.Equal(0, cold.Usage!.CachedInputTokenCount);
        Assert.Equal(restored.Usage!.InputTokenCount - 1, restored.Usage.CachedInputTokenCount);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
