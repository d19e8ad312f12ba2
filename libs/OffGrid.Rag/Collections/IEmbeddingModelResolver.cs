using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Collections;

/// <summary>
/// Turns the embedding model a collection names into a generator: the host decides what a name means (the server through
/// its model resolver and per-model embedding pipeline, the CLI through the local model store).
/// </summary>
/// <remarks>Implementations must be thread-safe. The generator stays owned by the resolver: collections never dispose it.</remarks>
public interface IEmbeddingModelResolver
{
    /// <summary>Gets the embedding generator for <paramref name="model"/>.</summary>
    /// <param name="model">The model name stored in the collection definition.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    /// <returns>The generator; the same instance may be returned for every call.</returns>
    /// <remarks>Throws the host's own not-found exception (for example the Hub's <c>ModelNotFoundException</c>) for unknown names.</remarks>
    Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken);
}
