using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Embeddings;

/// <summary>Embeds texts in batches with any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> and returns unit-length vectors.</summary>
/// <remarks>Thread-safe when the generator is.</remarks>
internal sealed class ChunkEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, int batchSize)
{
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, Action<int>? embeddedSoFar, CancellationToken cancellationToken)
    {
        var vectors = new float[texts.Count][];
        for (int offset = 0; offset < texts.Count; offset += batchSize)
        {
            string[] batch = texts.Skip(offset).Take(batchSize).ToArray();
            GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(batch, options: null, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {batch.Length} inputs.");
            }

            for (int i = 0; i < batch.Length; i++)
            {
                vectors[offset + i] = VectorMath.Normalize(embeddings[i].Vector.Span);
            }

            embeddedSoFar?.Invoke(offset + batch.Length);
        }

        return vectors;
    }

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) =>
        (await EmbedAsync([query], embeddedSoFar: null, cancellationToken).ConfigureAwait(false))[0];
}
