using Microsoft.Extensions.AI;
using OffGrid.Inference.Pooling;
using OffGrid.Testing;
using OffGrid.Testing.Conformance;

namespace OffGrid.Inference.Tests.Pooling;

/// <summary>The pool's embedding generator (<see cref="LlamaModelPool.CreateEmbeddingGenerator"/>) on stories260K.</summary>
public sealed class PooledEmbeddingGeneratorConformanceTests : EmbeddingGeneratorConformanceTests
{
    private LlamaModelPool? _pool;

    protected override string ExpectedModelId => "stories";

    protected override int ExpectedDimensions => 64;

    protected override Task<IEmbeddingGenerator<string, Embedding<float>>> CreateGeneratorAsync()
    {
        _pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)));
        return Task.FromResult(_pool.CreateEmbeddingGenerator(TestPaths.Stories260K, "stories"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _pool?.Dispose();
    }
}
