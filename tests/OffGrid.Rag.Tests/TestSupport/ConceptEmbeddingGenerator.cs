using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>
/// A deterministic embedding model for exact-ranking tests: a bag of concepts, where listed synonyms share one concept and every
/// other word is its own concept, hashed into a fixed number of dimensions. Stop words are ignored. Counts its calls.
/// </summary>
internal sealed partial class ConceptEmbeddingGenerator(int dimensions = 256, IReadOnlyDictionary<string, string>? synonyms = null)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly HashSet<string> s_stopWords = ["a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with", "is", "are", "how", "do", "i", "my", "what", "it"];

    private readonly Dictionary<string, float[]> _registered = new(StringComparer.Ordinal);
    private int _calls;
    private int _inputs;

    public int Calls => _calls;

    public int Inputs => _inputs;

    /// <summary>Makes a call fail once this many inputs have been embedded (simulates a model crash mid-ingest).</summary>
    public int? FailAfterInputs { get; set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] inputs = values.ToArray();
        Interlocked.Increment(ref _calls);
        if (FailAfterInputs is int limit && _inputs + inputs.Length > limit)
        {
            throw new InvalidOperationException("embedding model crashed");
        }

        Interlocked.Add(ref _inputs, inputs.Length);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(inputs.Select(v => new Embedding<float>(Embed(v)))));
    }

    /// <summary>Makes a query text whose embedding is exactly <paramref name="vector"/> (for tests that control the geometry).</summary>
    public string Register(float[] vector)
    {
        lock (_registered)
        {
            string key = "registered-vector-" + _registered.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _registered[key] = vector;
            return key;
        }
    }

    public float[] Embed(string text)
    {
        lock (_registered)
        {
            if (_registered.TryGetValue(text, out float[]? registered))
            {
                return registered;
            }
        }

        var vector = new float[dimensions];
        foreach (Match word in Word().Matches(text.ToLowerInvariant()))
        {
            if (s_stopWords.Contains(word.Value))
            {
                continue;
            }

            string concept = synonyms is not null && synonyms.TryGetValue(word.Value, out string? c) ? c : word.Value;
            vector[(int)(Fnv1a(concept) % (uint)dimensions)] += 1;
        }

        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (char ch in text)
        {
            hash = (hash ^ ch) * 16777619;
        }

        return hash;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
