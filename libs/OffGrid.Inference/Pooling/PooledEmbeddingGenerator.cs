using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Pooling;

/// <summary>An embedding generator that holds a pooled model only for the duration of each call.</summary>
internal sealed class PooledEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModelPool _pool;
    private readonly string _modelPath;

    public PooledEmbeddingGenerator(LlamaModelPool pool, string modelPath)
    {
        _pool = pool;
        _modelPath = modelPath;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await _pool.AcquireAsync(_modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await lease.EmbeddingGenerator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType == typeof(LlamaModelPool) ? _pool
        : null;

    public void Dispose()
    {
    }
}
