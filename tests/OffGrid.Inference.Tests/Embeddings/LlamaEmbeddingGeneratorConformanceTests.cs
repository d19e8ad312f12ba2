using Microsoft.Extensions.AI;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Conformance;

namespace OffGrid.Inference.Tests.Embeddings;

/// <summary><see cref="LlamaEmbeddingGenerator"/> on stories260K (mean pooling, 64 dimensions).</summary>
public sealed class LlamaEmbeddingGeneratorConformanceTests : EmbeddingGeneratorConformanceTests
{
    private LlamaModel? _model;

    protected override string ExpectedModelId => "stories260K";

    protected override int ExpectedDimensions => 64;

    protected override async Task<IEmbeddingGenerator<string, Embedding<float>>> CreateGeneratorAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        return new LlamaEmbeddingGenerator(_model, new LlamaEmbeddingGeneratorOptions { MaxBatchSequences = 8 });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _model?.Dispose();
    }
}
