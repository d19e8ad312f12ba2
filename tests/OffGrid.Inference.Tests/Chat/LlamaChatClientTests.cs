using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

public sealed class LlamaChatClientTests : IAsyncLifetime
{
    private LlamaModel _stories = null!;
    private LlamaModel _tiny = null!;
    private LlamaEngine _storiesEngine = null!;
    private LlamaEngine _tinyEngine = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _stories = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _tiny = await LlamaModel.LoadAsync(TestLlamaModels.Tiny);
        _storiesEngine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 8, ContextSize = 256 });
        _tinyEngine = new LlamaEngine(_tiny, new LlamaEngineOptions { ParallelSequences = 8, ContextSize = 256 });
    }

    public ValueTask DisposeAsync()
    {
        _storiesEngine.Dispose();
        _tinyEngine.Dispose();
        _stories.Dispose();
        _tiny.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ChatOptions Greedy(int maxTokens = 24) => new() { Temperature = 0, MaxOutputTokens = maxTokens };

    [Fact]
    public async Task GreedyStoryContinuationIsEnglish()
    {
        var client = new LlamaChatClient(_storiesEngine);
        ChatResponse response = await client.GetResponseAsync("Once upon a time", Greedy(32), TestContext.Current.CancellationToken);
        Assert.Contains("there was a little girl named Lily", response.Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(32, response.Usage!.OutputTokenCount);
        Assert.True(response.Usage.InputTokenCount > 3);
    }

    [Fact]
    public async Task GreedyOutputIsDeterministic()
    {
        var client = new LlamaChatClient(_tinyEngine);
        string first = (await client.GetResponseAsync("hello there", Greedy(), TestContext.Current.CancellationToken)).Text;
        string second = (await client.GetResponseAsync("hello there", Greedy(), TestContext.Current.CancellationToken)).Text;
        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task StreamingAndNonStreamingProduceTheSameTextAndOneUsage()
    {
        var client = new LlamaChatClient(_storiesEngine);
        var options = new ChatOptions { Temperature = 0.9f, Seed = 1234, MaxOutputTokens = 40 };
        string whole = (await client.GetResponseAsync("The dog", options, TestContext.Current.CancellationToken)).Text;
        var streamed = new System.Text.StringBuilder();
        int usageCount = 0;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("The dog", options, TestContext.Current.CancellationToken))
        {
            streamed.Append(update.Text);
            usageCount += update.Contents.OfType<UsageContent>().Count();
        }

        Assert.Equal(whole, streamed.ToString());
        Assert.Equal(1, usageCount);
    }

    [Fact]
    public async Task StopSequenceEndsTheAnswerWithoutIncludingIt()
    {
        var client = new LlamaChatClient(_storiesEngine);
        var options = Greedy(64);
        options.StopSequences = ["Lily"];
        ChatResponse response = await client.GetResponseAsync("Once upon a time", options, TestContext.Current.CancellationToken);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.DoesNotContain("Lily", response.Text, StringComparison.Ordinal);
        Assert.EndsWith("named ", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentRequestsMatchSequentialOnes()
    {
        var client = new LlamaChatClient(_storiesEngine);
        string[] prompts = ["Once upon a time", "The cat", "Tom had a ball", "One day", "The sun was", "Lily and Ben", "A big dog", "Mom said"];
        var sequential = new List<string>();
        foreach (string prompt in prompts)
        {
            sequential.Add((await client.GetResponseAsync(prompt, Greedy(20), TestContext.Current.CancellationToken)).Text);
        }

        string[] concurrent = await Task.WhenAll(prompts.Select(async p => (await client.GetResponseAsync(p, Greedy(20), TestContext.Current.CancellationToken)).Text));
        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public async Task NextTurnReusesTheCachedPrefix()
    {
        using var engine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256 });
        var client = new LlamaChatClient(engine);
        List<ChatMessage> history = [new(ChatRole.User, "Once upon a time there was a dog.")];
        ChatResponse first = await client.GetResponseAsync(history, Greedy(8), TestContext.Current.CancellationToken);
        Assert.Equal(0, first.Usage!.CachedInputTokenCount);
        history.Add(new ChatMessage(ChatRole.User, " The dog was happy."));
        ChatResponse second = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time there was a dog. The dog was happy.")], Greedy(8), TestContext.Current.CancellationToken);
        Assert.True(second.Usage!.CachedInputTokenCount >= 8, $"cached {second.Usage.CachedInputTokenCount}");
    }

    [Fact]
    public async Task CancellationStopsStreamingQuicklyAndFreesTheSequence()
    {
        using var engine = new LlamaEngine(_stories, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256 });
        var client = new LlamaChatClient(engine);
        using var cts = new CancellationTokenSource();
        int received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Once upon a time", new ChatOptions { Temperature = 0 }, cts.Token))
            {
                if (++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        // The only sequence is free again: a new request is served.
        ChatResponse next = await client.GetResponseAsync("The cat", Greedy(4), TestContext.Current.CancellationToken);
        Assert.Equal(4, next.Usage!.OutputTokenCount);
        Assert.Equal(0, engine.ActiveSequences);
    }

    [Fact]
    public async Task PromptLongerThanTheContextIsRefused()
    {
        using var engine = new LlamaEngine(_tiny, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 64 });
        var client = new LlamaChatClient(engine);
        string longPrompt = string.Join(' ', Enumerable.Repeat("the word", 200));
        var ex = await Assert.ThrowsAsync<ContextWindowExceededException>(() => client.GetResponseAsync(longPrompt, Greedy(), TestContext.Current.CancellationToken));
        Assert.Equal(256, ex.ContextSize);
        Assert.Contains("context window", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequestsFailClearlyAndTheEngineKeepsServing()
    {
        var client = new LlamaChatClient(_tinyEngine);
        SamplingRangeException zero = await Assert.ThrowsAsync<SamplingRangeException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 0 }, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidRequestException>(() => client.GetResponseAsync([], Greedy(), TestContext.Current.CancellationToken));
        InvalidRequestException schema = await Assert.ThrowsAsync<OffGrid.Inference.Grammar.UnsupportedSchemaException>(() => client.GetResponseAsync(
            "hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"strange"}""").RootElement) }, TestContext.Current.CancellationToken));
        SamplingRangeException hot = await Assert.ThrowsAsync<SamplingRangeException>(() => client.GetResponseAsync("hi", new ChatOptions { Temperature = 2.5f }, TestContext.Current.CancellationToken));
        SamplingRangeException emptyStop = await Assert.ThrowsAsync<SamplingRangeException>(() => client.GetResponseAsync("hi", new ChatOptions { StopSequences = [""] }, TestContext.Current.CancellationToken));
        Assert.Equal(nameof(ChatOptions.MaxOutputTokens), zero.ParamName);
        Assert.Equal((nameof(ChatOptions.Temperature), "a number from 0 to 2"), (hot.ParamName, hot.Requirement));
        Assert.Equal(nameof(ChatOptions.StopSequences), emptyStop.ParamName);
        Assert.Equal("response_format", schema.ParamName);
        Assert.NotEmpty((await client.GetResponseAsync("hi", Greedy(4), TestContext.Current.CancellationToken)).Text);
    }

    [Fact]
    public void GetServiceReturnsMetadataModelAndClient()
    {
        var client = new LlamaChatClient(_tinyEngine);
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(_tiny.Id, metadata.DefaultModelId);
        Assert.Same(_tiny, client.GetService<LlamaModel>());
        Assert.Same(client, client.GetService<IChatClient>());
    }
}
