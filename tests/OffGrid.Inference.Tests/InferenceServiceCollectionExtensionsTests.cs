using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Tests.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests;

public sealed class InferenceServiceCollectionExtensionsTests
{
    [Fact]
    public async Task ChatClientIsAPipelineWhoseMiddlewareSeesEveryRequest()
    {
        var seen = new List<string>();
        var services = new ServiceCollection();
        services.AddOffGridInference(o => o.Pool = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)));
        services.AddOffGridChatClient(TestPaths.Stories260K, modelId: "stories")
            .Use((messages, options, next, cancellationToken) =>
            {
                seen.Add(messages.Last().Text);
                return next(messages, options, cancellationToken);
            });
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient client = provider.GetRequiredService<IChatClient>();
        ChatResponse response = await client.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 12 }, TestContext.Current.CancellationToken);

        Assert.Contains("Lily", response.Text, StringComparison.Ordinal);
        Assert.Equal(["Once upon a time"], seen);
        ChatClientMetadata metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal(InferenceTelemetry.ProviderName, metadata.ProviderName);
        Assert.Equal("stories", metadata.DefaultModelId);
        Assert.Equal("stories", response.ModelId);
        Assert.Same(provider.GetRequiredService<LlamaModelPool>(), client.GetService<LlamaModelPool>());
    }

    [Fact]
    public async Task KeyedClientsServeOneModelEachAndShareThePool()
    {
        var services = new ServiceCollection();
        services.AddOffGridInference(o => o.Pool = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)));
        services.AddKeyedOffGridChatClient("stories", TestPaths.Stories260K);
        services.AddKeyedOffGridChatClient("tiny", TestLlamaModels.Tiny);
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient stories = provider.GetRequiredKeyedService<IChatClient>("stories");
        IChatClient tiny = provider.GetRequiredKeyedService<IChatClient>("tiny");
        Assert.Equal("stories", stories.GetService<ChatClientMetadata>()!.DefaultModelId);
        Assert.Equal("tiny", tiny.GetService<ChatClientMetadata>()!.DefaultModelId);
        Assert.Same(stories.GetService<LlamaModelPool>(), tiny.GetService<LlamaModelPool>());
        Assert.Null(provider.GetService<IChatClient>());
    }

    [Fact]
    public async Task EmbeddingGeneratorReportsItsModelAndProvider()
    {
        var services = new ServiceCollection();
        services.AddOffGridInference(o => o.Pool = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)));
        services.AddOffGridEmbeddingGenerator(TestPaths.Stories260K);
        await using ServiceProvider provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Embedding<float> embedding = (await generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken))[0];

        Assert.Equal(64, embedding.Vector.Length);
        Assert.Equal("stories260K", embedding.ModelId);
        EmbeddingGeneratorMetadata metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(InferenceTelemetry.ProviderName, metadata.ProviderName);
        Assert.Equal("stories260K", metadata.DefaultModelId);
    }

    [Fact]
    public void InvalidPoolOptionsFailWhenThePoolIsResolved()
    {
        var services = new ServiceCollection();
        services.AddOffGridInference(o => o.Pool.MaxLoadedModels = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlamaModelPool>());
        Assert.Contains("MaxLoadedModels", error.Message, StringComparison.Ordinal);
    }
}
