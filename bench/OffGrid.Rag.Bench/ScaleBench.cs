using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag.Bench;

/// <summary>
/// A million chunks × 384 dimensions: hybrid and vector query latency of the quantized index, recall@10 of its vector search
/// against the exact search on the same file, its memory, and the cost of a write (applied to the index as a delta).
/// Vectors come from 1,000 clusters (real embeddings cluster by topic; uniform random vectors have no neighbours to find);
/// each query is a stored chunk's vector plus noise, with three words of that chunk for the keyword side.
/// </summary>
internal static class ScaleBench
{
    private const int Dimensions = 384;
    private const int Clusters = 1000;
    private const int ChunksPerDocument = 100;

    /// <param name="database">The file to use; ingested only when it does not exist yet (kept afterwards, so later runs skip the long ingestion).</param>
    public static async Task RunAsync(string database, int size, int queries, List<string> rows)
    {
        var data = new ClusteredVectors(size, seed: 42);
        var embedder = new ProbeEmbeddingGenerator(data);
        var stopwatch = Stopwatch.StartNew();
        if (!File.Exists(database))
        {
            using (var kb = new KnowledgeBase(new RagOptions { DatabasePath = database, VectorSearch = VectorSearchMode.Exact, EmbeddingBatchSize = 64 }, embedder))
            {
                await kb.IngestAsync(Documents(data, size));
            }

            double ingestSeconds = stopwatch.Elapsed.TotalSeconds;
            rows.Add($"| ingest precomputed vectors | {size:N0} chunks | {size / ingestSeconds:N0} chunks/s | {ingestSeconds:F0} s, file {new FileInfo(database).Length / 1048576.0:N0} MiB |");
        }

        var random = new Random(7);
        int[] probes = [.. Enumerable.Range(0, queries + 20).Select(_ => random.Next(size))];
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var quantized = new KnowledgeBase(new RagOptions { DatabasePath = database, VectorSearch = VectorSearchMode.Quantized }, embedder);
        stopwatch.Restart();
        await quantized.SearchAsync(embedder.Probe(probes[0]), new SearchOptions { Top = 10, Alpha = 1 });
        double load = stopwatch.Elapsed.TotalSeconds;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        KnowledgeBaseStatistics statistics = await quantized.GetStatisticsAsync();
        rows.Add($"| quantized index load (first query) | {size:N0} chunks | {load:F1} s | index {statistics.IndexMemoryBytes / 1048576.0:N0} MiB; managed heap +{(after - before) / 1048576.0:N0} MiB; process {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:N0} MiB (exact float32 would hold {(long)size * Dimensions * 4 / 1048576.0:N0} MiB of vectors) |");

        foreach ((string name, SearchOptions options) in new[] { ("hybrid a=0.5", new SearchOptions { Top = 10 }), ("vector only", new SearchOptions { Top = 10, Alpha = 1 }), ("keyword only", new SearchOptions { Top = 10, Alpha = 0 }) })
        {
            (double p50, double p95, double cpu) = await Latencies(quantized, embedder, probes, options);
            rows.Add($"| query {name}, Quantized | {size:N0} chunks | p50 {p50:F1} ms, p95 {p95:F1} ms | {cpu:F1} ms CPU per query (all threads); {queries} queries after 20 warm-up |");
        }

        // A write lands in the index as a delta: the next query does not reload a million rows.
        stopwatch.Restart();
        await quantized.IngestAsync(DocumentSource.FromChunks("extra", [.. Enumerable.Range(0, ChunksPerDocument).Select(i => new PrecomputedChunk(data.Text(i), data.Vector(i)))]));
        double write = stopwatch.Elapsed.TotalMilliseconds;
        stopwatch.Restart();
        await quantized.SearchAsync(embedder.Probe(probes[1]), new SearchOptions { Top = 10 });
        rows.Add($"| write 100 chunks, then query | {size:N0} chunks | write {write:F0} ms, next query {stopwatch.Elapsed.TotalMilliseconds:F0} ms | the index takes the delta; a full reload took {load:F1} s |");
        await quantized.DeleteDocumentAsync("extra");
        quantized.Dispose();
        await RecallAsync(database, embedder, probes.Take(queries).ToArray(), rows, size);
    }

    private static async Task RecallAsync(string database, ProbeEmbeddingGenerator embedder, int[] probes, List<string> rows, int size)
    {
        // Exact and quantized answers are taken from fresh instances, one after the other, so that only one index is in memory.
        var approximate = new List<HashSet<long>>();
        using (var quantized = new KnowledgeBase(new RagOptions { DatabasePath = database, VectorSearch = VectorSearchMode.Quantized }, embedder))
        {
            foreach (int probe in probes)
            {
                approximate.Add([.. (await quantized.SearchAsync(embedder.Probe(probe), new SearchOptions { Top = 10, Alpha = 1 })).Select(h => h.Citation.ChunkId)]);
            }
        }

        double found = 0;
        var latencies = new List<double>();
        using (var exact = new KnowledgeBase(new RagOptions { DatabasePath = database, VectorSearch = VectorSearchMode.Exact }, embedder))
        {
            await exact.SearchAsync(embedder.Probe(probes[0]), new SearchOptions { Top = 10, Alpha = 1 });
            for (int i = 0; i < probes.Length; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                IReadOnlyList<SearchHit> truth = await exact.SearchAsync(embedder.Probe(probes[i]), new SearchOptions { Top = 10, Alpha = 1 });
                latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
                found += truth.Count(h => approximate[i].Contains(h.Citation.ChunkId)) / (double)truth.Count;
            }
        }

        latencies.Sort();
        rows.Add($"| recall@10, Quantized vs Exact (vector only) | {size:N0} chunks | {found / probes.Length:F3} | exact search for comparison: p50 {latencies[latencies.Count / 2]:F1} ms, p95 {latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1]:F1} ms |");
    }

    /// <summary>Wall-clock percentiles, and the process CPU time per query: on a machine shared with other work the wall clock
    /// includes waiting for a core, the CPU time does not.</summary>
    private static async Task<(double P50, double P95, double CpuPerQuery)> Latencies(KnowledgeBase kb, ProbeEmbeddingGenerator embedder, int[] probes, SearchOptions options)
    {
        foreach (int probe in probes.Skip(probes.Length - 20))
        {
            await kb.SearchAsync(embedder.Probe(probe), options);
        }

        var latencies = new List<double>();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (int probe in probes.Take(probes.Length - 20))
        {
            var stopwatch = Stopwatch.StartNew();
            await kb.SearchAsync(embedder.Probe(probe), options);
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / latencies.Count;
        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1], cpu);
    }

    private static IEnumerable<DocumentSource> Documents(ClusteredVectors data, int size)
    {
        for (int d = 0; d < size / ChunksPerDocument; d++)
        {
            yield return DocumentSource.FromChunks($"doc{d}", [.. Enumerable.Range(d * ChunksPerDocument, ChunksPerDocument).Select(i => new PrecomputedChunk(data.Text(i), data.Vector(i)))]);
        }
    }

    /// <summary>Deterministic clustered unit vectors and 30-word texts, regenerated from the index (no 1.5 GB array kept).</summary>
    internal sealed class ClusteredVectors(int size, int seed)
    {
        private readonly float[][] _centroids = [.. Enumerable.Range(0, Clusters).Select(c => Gaussian(new Random(seed * 7919 + c), 1f))];

        public int Size => size;

        public float[] Vector(int index)
        {
            var random = new Random(seed + index);
            float[] noise = Gaussian(random, 0.9f);
            float[] centroid = _centroids[random.Next(Clusters)];
            for (int i = 0; i < Dimensions; i++)
            {
                noise[i] += centroid[i];
            }

            return noise;
        }

        public string Text(int index)
        {
            var random = new Random(~(seed + index));
            return string.Join(' ', Enumerable.Range(0, 30).Select(_ => "w" + random.Next(20_000).ToString(CultureInfo.InvariantCulture)));
        }

        /// <summary>A vector of the given overall length, from a standard normal per dimension.</summary>
        public static float[] Gaussian(Random random, float length)
        {
            var vector = new float[Dimensions];
            for (int i = 0; i < Dimensions; i++)
            {
                vector[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * length / Math.Sqrt(Dimensions));
            }

            return vector;
        }
    }

    /// <summary>Embeds a probe query (<c>probe N: words</c>) as chunk N's vector plus noise; any other text as noise.</summary>
    internal sealed class ProbeEmbeddingGenerator(ClusteredVectors data) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public string Probe(int index) => $"probe {index}: " + string.Join(' ', data.Text(index).Split(' ').Take(3));

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private float[] Embed(string text)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (!text.StartsWith("probe ", StringComparison.Ordinal) || colon < 0)
            {
                return ClusteredVectors.Gaussian(new Random(text.Length), 1f);
            }

            int index = int.Parse(text.AsSpan(6, colon - 6), CultureInfo.InvariantCulture);
            float[] vector = data.Vector(index);
            float[] noise = ClusteredVectors.Gaussian(new Random(-index), 0.5f);
            for (int i = 0; i < vector.Length; i++)
            {
                vector[i] += noise[i];
            }

            return vector;
        }
    }
}
