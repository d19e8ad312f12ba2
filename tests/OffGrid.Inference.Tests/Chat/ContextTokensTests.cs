using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>Ollama-style context through the chat client: the exchange comes back in tokens and continues where it left off.</summary>
public sealed class ContextTokensTests
{
    [Fact]
    public async Task ContextComesBackAndContinuesTheExchange()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K, cancellationToken: TestContext.Current.CancellationToken);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ContextSize = 512 });
        var client = new LlamaChatClient(engine);
        ChatOptions Options(object context) => new()
        {
            Temperature = 0,
            MaxOutputTokens = 6,
            AdditionalProperties = new() { [LlamaChatOptions.RawPromptKey] = true, [LlamaChatOptions.ContextKey] = context },
        };

        ChatResponse first = await client.GetResponseAsync("Once upon a time", Options(Array.Empty<int>()), TestContext.Current.CancellationToken);
        int[] context = Assert.IsType<int[]>(first.AdditionalProperties![LlamaChatOptions.ContextKey]);
        Assert.Equal(first.Usage!.InputTokenCount + first.Usage.OutputTokenCount, context.Length);

        ChatResponse second = await client.GetResponseAsync(" Then", Options(context), TestContext.Current.CancellationToken);
        int[] continued = Assert.IsType<int[]>(second.AdditionalProperties![LlamaChatOptions.ContextKey]);
        Assert.Equal(context, continued[..context.Length]);
        Assert.True(second.Usage!.CachedInputTokenCount >= context.Length - 1, "the earlier exchange is reused from the cache");

        await Assert.ThrowsAsync<InvalidRequestException>(() => client.GetResponseAsync("x", Options(new[] { model.VocabularySize }), TestContext.Current.CancellationToken));
        Assert.Null((await client.GetResponseAsync("x", new ChatOptions { MaxOutputTokens = 1 }, TestContext.Current.CancellationToken)).AdditionalProperties?.GetValueOrDefault(LlamaChatOptions.ContextKey));
    }
}
