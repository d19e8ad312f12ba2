using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Embeddings;

public sealed class LlamaEmbeddingGeneratorTests : IAsyncLifetime
{
    private LlamaModel _model = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
    }

    public ValueTask DisposeAsync()
    {
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EmbeddingsAreDeterministicNormalisedAndReportUsage()
    {
        using var generator = new LlamaEmbeddingGenerator(_model);
        GeneratedEmbeddings<Embedding<float>> first = await generator.GenerateAsync(["The cat sat on the mat."], cancellationToken: TestContext.Current.CancellationToken);
        GeneratedEmbeddings<Embedding<float>> second = await generator.GenerateAsync(["The cat sat on the mat."], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(_model.EmbeddingLength, first[0].Vector.Length);
        Assert.Equal(first[0].Vector.ToArray(), second[0].Vector.ToArray());
        Assert.Equal(1f, TensorPrimitives.Norm(first[0].Vector.Span), 3);
        Assert.True(first.Usage!.InputTokenCount > 5);
    }

    [Fact]
    public async Task BatchEqualsOneByOne()
    {
        using var generator = new LlamaEmbeddingGenerator(_model, new LlamaEmbeddingGeneratorOptions { MaxBatchSequences = 8 });
        string[] inputs = ["Lily liked the park.", "Tom ate an apple.", "The sun was hot.", "A dog ran fast and far away."];
        GeneratedEmbeddings<Embedding<float>> batch = await generator.GenerateAsync(inputs, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < inputs.Length; i++)
        {
            GeneratedEmbeddings<Embedding<float>> single = await generator.GenerateAsync([inputs[i]], cancellationToken: TestContext.Current.CancellationToken);
            float similarity = TensorPrimitives.CosineSimilarity(batch[i].Vector.Span, single[0].Vector.Span);
            Assert.True(similarity > 0.9999f, $"input {i}: cosine {similarity}");
        }

        Assert.True(TensorPrimitives.CosineSimilarity(batch[0].Vector.Span, batch[1].Vector.Span) < 0.9999f);
    }

    [Fact]
    public async Task InputLongerThanTheContextIsRefused()
    {
        using var generator = new LlamaEmbeddingGenerator(_model, new LlamaEmbeddingGeneratorOptions { ContextSize = 32 });
        string text = string.Join(' ', Enumerable.Repeat("Lily played in the park with her ball.", 100));
        await Assert.ThrowsAsync<ContextWindowExceededException>(() => generator.GenerateAsync([text], cancellationToken: TestContext.Current.CancellationToken));
    }
}
