using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Collections;

/// <summary>
/// Stands in for a collection's embedding model until the first embedding is needed, so that listing collections and
/// reading their statistics never loads a model.
/// </summary>
/// <remarks>Thread-safe; a failed resolution is retried on the next call.</remarks>
internal sealed class ResolvingEmbeddingGenerator(IEmbeddingModelResolver resolver, Func<string> model) : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = await resolver.GetEmbeddingGeneratorAsync(model(), cancellationToken).ConfigureAwait(false);
        return await generator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The resolver owns the generators.
    }
}
