using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace OffGrid.Testing.Conformance;

/// <summary>
/// Behaviour every <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> OffGrid ships must have: a batch equals the same
/// texts one by one, every vector has the model's dimensions and is L2-normalised, usage counts the input tokens,
/// cancellation stops a call, and metadata names the provider and model. Subclasses provide the generator.
/// </summary>
public abstract class EmbeddingGeneratorConformanceTests : IAsyncLifetime
{
    private static readonly string[] s_texts = ["Lily liked the park.", "Tom ate an apple.", "The sun was hot.", "A dog ran fast and far away."];

    protected IEmbeddingGenerator<string, Embedding<float>> Generator { get; private set; } = null!;

    /// <summary>The model id the generator must report in metadata and on each embedding.</summary>
    protected abstract string ExpectedModelId { get; }

    /// <summary>The length of every vector.</summary>
    protected abstract int ExpectedDimensions { get; }

    public async ValueTask InitializeAsync() => Generator = await CreateGeneratorAsync();

    public virtual ValueTask DisposeAsync()
    {
        Generator.Dispose();
        return ValueTask.CompletedTask;
    }

    protected abstract Task<IEmbeddingGenerator<string, Embedding<float>>> CreateGeneratorAsync();

    [Fact]
    public async Task BatchEqualsOneByOne()
    {
        GeneratedEmbeddings<Embedding<float>> batch = await Generator.GenerateAsync(s_texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(s_texts.Length, batch.Count);
        for (int i = 0; i < s_texts.Length; i++)
        {
            Embedding<float> single = (await Generator.GenerateAsync([s_texts[i]], cancellationToken: TestContext.Current.CancellationToken))[0];
            float similarity = TensorPrimitives.CosineSimilarity(batch[i].Vector.Span, single.Vector.Span);
            Assert.True(similarity > 0.9999f, $"input {i}: cosine {similarity}");
        }

        Assert.True(TensorPrimitives.CosineSimilarity(batch[0].Vector.Span, batch[1].Vector.Span) < 0.9999f, "different texts, different vectors");
    }

    [Fact]
    public async Task VectorsHaveTheModelsDimensionsAndUnitLength()
    {
        GeneratedEmbeddings<Embedding<float>> embeddings = await Generator.GenerateAsync(s_texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.All(embeddings, e =>
        {
            Assert.Equal(ExpectedDimensions, e.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 3);
            Assert.Equal(ExpectedModelId, e.ModelId);
        });
    }

    [Fact]
    public async Task UsageCountsTheInputTokens()
    {
        GeneratedEmbeddings<Embedding<float>> one = await Generator.GenerateAsync([s_texts[0]], cancellationToken: TestContext.Current.CancellationToken);
        GeneratedEmbeddings<Embedding<float>> all = await Generator.GenerateAsync(s_texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(one.Usage?.InputTokenCount > 0);
        Assert.True(all.Usage?.InputTokenCount > one.Usage!.InputTokenCount);
        Assert.Equal(all.Usage!.InputTokenCount, all.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task ACancelledCallThrows()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(s_texts, cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task MetadataNamesTheProviderModelAndDimensions()
    {
        EmbeddingGeneratorMetadata before = Assert.IsType<EmbeddingGeneratorMetadata>(Generator.GetService(typeof(EmbeddingGeneratorMetadata)));
        _ = await Generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken);
        EmbeddingGeneratorMetadata metadata = Assert.IsType<EmbeddingGeneratorMetadata>(Generator.GetService(typeof(EmbeddingGeneratorMetadata)));

        Assert.Equal("offgrid-llama.cpp", metadata.ProviderName);
        Assert.Equal(ExpectedModelId, metadata.DefaultModelId);
        Assert.True(before.DefaultModelDimensions is null || before.DefaultModelDimensions == ExpectedDimensions, "a generator that reports dimensions before loading reports the right ones");
        Assert.Equal(ExpectedDimensions, metadata.DefaultModelDimensions);
        Assert.Null(Generator.GetService(typeof(EmbeddingGeneratorMetadata), serviceKey: "other"));
    }
}
