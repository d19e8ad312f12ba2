using Microsoft.Extensions.AI;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>A local model's embedding generator when it runs in the <see cref="ModelWorker"/> (see <see cref="WorkerChatClient"/>).</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class WorkerEmbeddingGenerator(ModelWorker worker, string model) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new(providerName: "offgrid", defaultModelId: model);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using IEmbeddingGenerator<string, Embedding<float>> generator = (await worker.GetBackendAsync(cancellationToken).ConfigureAwait(false)).CreateEmbeddingGenerator(model);
        return await generator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The worker's generators are made per call; the worker belongs to the host.
    }
}
