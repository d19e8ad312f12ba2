using System.Diagnostics;
using System.Globalization;
using OffGrid.Rag;
using OffGrid.Rag.Bench;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;

// Ingest throughput and hybrid query latency of OffGrid.Rag on synthetic data (384-dimensional vectors), sqlite-vec against the
// exact SIMD fallback. Usage: dotnet run -c Release -- [--sizes 10000,100000] [--queries 200] [--vec path/to/vec0.so]
const int Dimensions = 384;
const int ChunksPerDocument = 100;
const int WordsPerChunk = 30;
const int Vocabulary = 20_000;

// Other cases: --case scale [--size 1000000] [--database kept.db] (quantized index at a million chunks; an existing
// --database is reused, not re-ingested) and --case mixed --model stories260K.gguf
// [--documents 1000] (bulk ingestion of mixed files with a real embedding model).
string benchCase = Argument("--case", "search");
if (benchCase != "search")
{
    string scratch = Path.Combine(Path.GetTempPath(), $"offgrid-rag-bench-{Guid.NewGuid():N}");
    Directory.CreateDirectory(scratch);
    var table = new List<string>();
    Console.WriteLine($"OffGrid.Rag bench, case {benchCase}: {Environment.ProcessorCount} cores");
    try
    {
        if (benchCase == "scale")
        {
            int size = int.Parse(Argument("--size", "1000000"), CultureInfo.InvariantCulture);
            string database = ArgumentOrNull("--database") ?? Path.Combine(scratch, $"scale-{size}.db");
            await ScaleBench.RunAsync(database, size, int.Parse(Argument("--queries", "200"), CultureInfo.InvariantCulture), table);
        }
        else
        {
            await MixedIngestBench.RunAsync(scratch, Argument("--model", "../shared/models/stories260K.gguf"), int.Parse(Argument("--documents", "1000"), CultureInfo.InvariantCulture), table);
        }
    }
    finally
    {
        Directory.Delete(scratch, recursive: true);
    }

    Console.WriteLine();
    Console.WriteLine("| case | size | result | note |");
    Console.WriteLine("|---|---|---|---|");
    table.ForEach(Console.WriteLine);
    return;
}

int[] sizes = Argument("--sizes", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
int queries = int.Parse(Argument("--queries", "200"), CultureInfo.InvariantCulture);
string? vecPath = Environment.GetEnvironmentVariable("OFFGRID_SQLITE_VEC_PATH") is { Length: > 0 } env ? env : ArgumentOrNull("--vec");
string work = Path.Combine(Path.GetTempPath(), $"offgrid-rag-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
var generator = new HashingEmbeddingGenerator(Dimensions);
var rows = new List<string>();
Console.WriteLine($"OffGrid.Rag bench: {Environment.ProcessorCount} cores, {Dimensions}-dim vectors, {queries} queries per case, sqlite-vec: {vecPath ?? "not given"}");

try
{
    // Ingestion with the cheap embedding generator: reading, chunking, embedding calls and storage together.
    using (var kb = new KnowledgeBase(Options(Path.Combine(work, "embed.db"), VectorSearchMode.Exact), generator))
    {
        const int Documents = 100;
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<IngestionResult> results = await kb.IngestAsync(Enumerable.Range(0, Documents).Select(d => DocumentSource.FromText($"text{d}", TextDocument(d))));
        double seconds = stopwatch.Elapsed.TotalSeconds;
        int chunks = results.Sum(r => r.ChunkCount);
        rows.Add($"| ingest text, hashing embedder, exact | {chunks:N0} chunks | {chunks / seconds:N0} chunks/s | {seconds:F1} s total |");
    }

    foreach (int size in sizes)
    {
        string database = Path.Combine(work, $"vectors-{size}.db");
        VectorSearchMode writeMode = vecPath is null ? VectorSearchMode.Exact : VectorSearchMode.SqliteVec;
        using (var kb = new KnowledgeBase(Options(database, writeMode), generator))
        {
            var stopwatch = Stopwatch.StartNew();
            await kb.IngestAsync(PrecomputedDocuments(size));
            double seconds = stopwatch.Elapsed.TotalSeconds;
            rows.Add($"| ingest precomputed vectors, {kb.VectorSearchBackend} | {size:N0} chunks | {size / seconds:N0} chunks/s | {seconds:F1} s total |");
        }

        foreach (VectorSearchMode mode in vecPath is null ? [VectorSearchMode.Exact] : new[] { VectorSearchMode.SqliteVec, VectorSearchMode.Exact })
        {
            using var kb = new KnowledgeBase(Options(database, mode), generator);
            foreach ((string name, SearchOptions options) in new[] { ("hybrid a=0.5", new SearchOptions { Top = 10 }), ("vector only", new SearchOptions { Top = 10, Alpha = 1 }), ("keyword only", new SearchOptions { Top = 10, Alpha = 0 }) })
            {
                if (mode == VectorSearchMode.Exact && name == "keyword only" && vecPath is not null)
                {
                    continue; // Keyword search does not touch vectors; measured once per size.
                }

                (double first, double p50, double p95) = await MeasureQueries(kb, options);
                rows.Add($"| query {name}, {kb.VectorSearchBackend} | {size:N0} chunks | p50 {p50:F1} ms, p95 {p95:F1} ms | first query {first:F0} ms |");
            }
        }
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

Console.WriteLine();
Console.WriteLine("| case | size | result | note |");
Console.WriteLine("|---|---|---|---|");
rows.ForEach(Console.WriteLine);

RagOptions Options(string database, VectorSearchMode mode) => new() { DatabasePath = database, VectorSearch = mode, SqliteVecPath = vecPath, EmbeddingBatchSize = 64 };

static string Word(Random random) => "w" + random.Next(Vocabulary).ToString(CultureInfo.InvariantCulture);

static string Sentence(Random random) => string.Join(' ', Enumerable.Range(0, WordsPerChunk).Select(_ => Word(random)));

static string TextDocument(int seed)
{
    var random = new Random(seed);
    return string.Join("\n\n", Enumerable.Range(0, 40).Select(i => (i % 10 == 0 ? $"# Section {i}\n\n" : string.Empty) + Sentence(random) + "."));
}

static IEnumerable<DocumentSource> PrecomputedDocuments(int chunks)
{
    var random = new Random(42);
    for (int d = 0; d < chunks / ChunksPerDocument; d++)
    {
        PrecomputedChunk[] documentChunks = Enumerable.Range(0, ChunksPerDocument)
            .Select(_ => new PrecomputedChunk(Sentence(random), Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()))
            .ToArray();
        yield return DocumentSource.FromChunks($"doc{d}", documentChunks);
    }
}

async Task<(double First, double P50, double P95)> MeasureQueries(KnowledgeBase kb, SearchOptions options)
{
    var random = new Random(7);
    var stopwatch = Stopwatch.StartNew();
    await kb.SearchAsync($"{Word(random)} {Word(random)} {Word(random)}", options);
    double first = stopwatch.Elapsed.TotalMilliseconds;

    // Warm-up so that JIT tiering and the first allocation of result buffers are not counted.
    for (int i = 0; i < 20; i++)
    {
        await kb.SearchAsync($"{Word(random)} {Word(random)} {Word(random)}", options);
    }

    var latencies = new List<double>(queries);
    for (int i = 0; i < queries; i++)
    {
        string query = $"{Word(random)} {Word(random)} {Word(random)}";
        stopwatch.Restart();
        await kb.SearchAsync(query, options);
        latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    latencies.Sort();
    return (first, latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1]);
}

string Argument(string name, string fallback) => ArgumentOrNull(name) ?? fallback;

string? ArgumentOrNull(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
