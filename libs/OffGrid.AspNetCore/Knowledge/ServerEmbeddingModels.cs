using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;
using OffGrid.Rag.Collections;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>
/// Resolves a collection's embedding model the way every request resolves a model (served names, model folders, the store)
/// and embeds through that model's embedding pipeline, so the app's embedding middleware sees ingestion and search too.
/// A collection's stored <c>.gguf</c> path is used whatever <see cref="OffGridServerOptions.AllowModelPaths"/> says: that
/// setting guards the paths clients send, and a stored path was written on this machine (<c>offgrid kb create</c>) or
/// checked against it when a client created the collection (<see cref="EnsureServedAsync"/>).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerEmbeddingModels(ModelAccess models, ModelClients clients) : IEmbeddingModelResolver
{
    public async Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            return clients.GetEmbeddingGenerator(StoredFile(model) ?? await models.ResolveAsync(model, cancellationToken).ConfigureAwait(false));
        }
        catch (ModelNotFoundException ex)
        {
            // The request named a collection, not a model: say which model is missing without pointing at a "model" field.
            throw new ApiException(StatusCodes.Status404NotFound, $"The collection's embedding model is not available here: {ex.Message}", null, "model_not_found");
        }
    }

    /// <summary>Checks that a client may name <paramref name="model"/> as a new collection's embedding model (a path only when the server serves paths).</summary>
    /// <exception cref="ApiException">404 with <c>param</c> <c>embedding_model</c> when the server does not serve it.</exception>
    public async Task EnsureServedAsync(string? model, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return; // the collection's own validation names the missing field
        }

        try
        {
            await models.ResolveAsync(model, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelNotFoundException ex)
        {
            throw new ApiException(StatusCodes.Status404NotFound, ex.Message, "embedding_model", "model_not_found");
        }
    }

    private static LocalModel? StoredFile(string model) =>
        ModelReference.TryParse(model, out ModelReference? reference) && reference.Kind == ModelReferenceKind.LocalFile && reference.LocalPath is { } path && File.Exists(path)
            ? new LocalModel(Path.GetFileNameWithoutExtension(path), path, LocalModelSource.File)
            : null;
}
