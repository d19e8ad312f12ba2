using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Models;
using OffGrid.Rag.Collections;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>
/// Resolves a collection's embedding model the way every request resolves a model (served names, model folders, the store)
/// and embeds through that model's embedding pipeline, so the app's embedding middleware sees ingestion and search too.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerEmbeddingModels(ModelAccess models, ModelClients clients) : IEmbeddingModelResolver
{
    public async Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken) =>
        clients.GetEmbeddingGenerator(await models.ResolveAsync(model, cancellationToken).ConfigureAwait(false));
}
