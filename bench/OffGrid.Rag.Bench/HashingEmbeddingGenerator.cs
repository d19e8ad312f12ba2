using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Bench;

/// <summary>A cheap stand-in for an embedding model: hashes words into a fixed number of dimensions, so ingestion cost is the knowledge base's own.</summary>
internal sealed class HashingEmbeddingGenerator(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private float[] Embed(string text)
    {
        var vector = new float[dimensions];
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            vector[(int)((uint)string.GetHashCode(word, StringComparison.Ordinal) % (uint)dimensions)] += 1;
        }

        vector[0] += 0.5f;
        return vector;
    }
}
