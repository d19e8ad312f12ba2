using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Pooling;

/// <summary>
/// An embedding generator that holds a pooled model only for the duration of each call; a call's
/// <see cref="LlamaChatOptions.KeepAliveKey"/> sets how long the model stays loaded afterwards.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class PooledEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModelPool _pool;
    private readonly string _modelPath;
    private EmbeddingGeneratorMetadata _metadata;

    public PooledEmbeddingGenerator(LlamaModelPool pool, string modelPath, string modelId)
    {
        _pool = pool;
        _modelPath = modelPath;

        // The dimensions are only known once the model has been loaded (metadata must not load it); the first call fills them in.
        _metadata = new EmbeddingGeneratorMetadata(InferenceTelemetry.ProviderName, providerUri: null, defaultModelId: modelId);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await _pool.AcquireAsync(_modelPath, LlamaChatOptions.GetKeepAlive(options?.AdditionalProperties), cancellationToken: cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<Embedding<float>> embeddings = await lease.EmbeddingGenerator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        foreach (Embedding<float> embedding in embeddings)
        {
            embedding.ModelId = _metadata.DefaultModelId;
        }

        if (_metadata.DefaultModelDimensions is null && embeddings.Count > 0)
        {
            _metadata = new EmbeddingGeneratorMetadata(_metadata.ProviderName, _metadata.ProviderUri, _metadata.DefaultModelId, embeddings[0].Vector.Length);
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Volatile.Read(ref _metadata)
            : serviceType == typeof(LlamaModelPool) ? _pool
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The pool owns the models.
    }
}
