using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Embeddings;

/// <summary>Embeds texts with a held model for either API.</summary>
internal static class EmbeddingGeneration
{
    /// <param name="session">The model.</param>
    /// <param name="inputs">The texts.</param>
    /// <param name="dimensions">
    /// The dimension the client asked for: for a local model it must be the model's (OffGrid does not truncate embeddings); a
    /// remote model's backend gets it and decides.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public static async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        ModelSession session, string[] inputs, int? dimensions, CancellationToken cancellationToken)
    {
        if (session.Lease is null)
        {
            return await session.EmbeddingGenerator.GenerateAsync(inputs, new EmbeddingGenerationOptions { Dimensions = dimensions }, cancellationToken);
        }

        int native = session.Lease.Model.EmbeddingLength;
        if (dimensions is { } wanted && wanted != native)
        {
            throw ApiException.BadRequest($"'{session.Model.Name}' produces {native}-dimensional embeddings; 'dimensions' must be {native} or left out (OffGrid does not truncate embeddings).", "dimensions");
        }

        return await session.EmbeddingGenerator.GenerateAsync(inputs, cancellationToken: cancellationToken);
    }
}
