using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Embeddings;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag.Ingestion;

/// <summary>
/// Runs documents through load → hash check → read → chunk → embed → store. Each document is independent: a failure becomes that
/// document's result and the batch goes on; only cancellation stops the batch.
/// </summary>
/// <remarks>Thread-safe; concurrent ingestions serialise only on the store's write transaction.</remarks>
internal sealed class DocumentIngestor(
    RagOptions options,
    SqliteKnowledgeStore store,
    ChunkEmbedder embedder,
    DocumentLoader loader,
    IReadOnlyDictionary<ContentFormat, IDocumentReader> readers,
    ILogger logger)
{
    public async Task<IReadOnlyList<IngestionResult>> IngestAsync(IReadOnlyList<DocumentSource> sources, IngestionOptions ingestion, IProgress<IngestionProgress>? progress, CancellationToken cancellationToken)
    {
        var results = new List<IngestionResult>(sources.Count);
        foreach (DocumentSource source in sources)
        {
            int completed = results.Count;
            void Report(IngestionStage stage, int done, int total) =>
                progress?.Report(new IngestionProgress(source.Id, stage, completed, sources.Count, done, total));

            IngestionResult result = await IngestOneAsync(source, ingestion, Report, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress?.Report(new IngestionProgress(source.Id, IngestionStage.Completed, results.Count, sources.Count, result.ChunkCount, result.ChunkCount));
        }

        return results;
    }

    private async Task<IngestionResult> IngestOneAsync(DocumentSource source, IngestionOptions ingestion, Action<IngestionStage, int, int> report, CancellationToken cancellationToken)
    {
        string collection = source.Collection ?? options.DefaultCollection;
        using Activity? activity = RagTelemetry.ActivitySource.StartActivity("rag.ingest");
        activity?.SetTag("offgrid.rag.source", source.Id);
        var result = new IngestionResult { Source = source.Id, Collection = collection, Status = IngestionStatus.Failed };
        try
        {
            report(IngestionStage.Reading, 0, 0);
            (long Id, string ContentHash, int ChunkCount)? existing = await store.FindDocumentAsync(collection, source.Id, cancellationToken).ConfigureAwait(false);
            result = result with { DocumentId = existing?.Id };
            Prepared prepared = source.Kind == DocumentSourceKind.Chunks
                ? PrepareChunks(source)
                : await PrepareContentAsync(source, existing?.ContentHash, ingestion, report, cancellationToken).ConfigureAwait(false);
            if (!ingestion.Force && existing?.ContentHash == prepared.Hash)
            {
                return result with { Status = IngestionStatus.Unchanged, ChunkCount = existing.Value.ChunkCount };
            }

            if (prepared.Chunks.Count == 0)
            {
                throw new DocumentReadException("The document contains no extractable text.");
            }

            report(IngestionStage.Embedding, 0, prepared.Chunks.Count);
            float[][] vectors = await EmbedMissingAsync(prepared.Chunks, done => report(IngestionStage.Embedding, done, prepared.Chunks.Count), cancellationToken).ConfigureAwait(false);
            ChunkRecord[] records = prepared.Chunks.Select((c, i) => c with { Embedding = vectors[i] }).ToArray();

            report(IngestionStage.Storing, records.Length, records.Length);
            var document = new DocumentRecord(collection, source.Id, prepared.Title, prepared.Format, prepared.Hash, prepared.MetadataJson);
            long id = await store.ReplaceDocumentAsync(document, records, cancellationToken).ConfigureAwait(false);
            RagTelemetry.ChunksStored.Add(records.Length);
            return result with
            {
                Status = existing is null ? IngestionStatus.Added : IngestionStatus.Updated,
                DocumentId = id,
                ChunkCount = records.Length,
                Profile = prepared.Plan?.Profile,
                MaxTokens = prepared.Plan?.MaxTokens ?? 0,
                OverlapTokens = prepared.Plan?.OverlapTokens ?? 0,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string error = ex is DocumentReadException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogWarning(ex, "Ingesting {Source} failed: {Error}", source.Id, error);
            RagTelemetry.DocumentsFailed.Add(1);
            activity?.SetStatus(ActivityStatusCode.Error, error);
            return result with { Error = error };
        }
    }

    private async Task<Prepared> PrepareContentAsync(DocumentSource source, string? storedHash, IngestionOptions ingestion, Action<IngestionStage, int, int> report, CancellationToken cancellationToken)
    {
        LoadedContent content = await loader.LoadAsync(source, cancellationToken).ConfigureAwait(false);
        string hash = Convert.ToHexStringLower(SHA256.HashData(content.Bytes));
        if (!ingestion.Force && hash == storedHash)
        {
            // Unchanged: skip parsing, chunking and embedding altogether.
            return new Prepared(hash, string.Empty, string.Empty, string.Empty, [], null);
        }

        ContentFormat format = ContentFormatDetector.Detect(source.Format, content.ContentType, source.Id, content.Bytes);
        ParsedDocument parsed = await readers[format].ReadAsync(content.Bytes, content.Address ?? source.Url, cancellationToken).ConfigureAwait(false);

        report(IngestionStage.Chunking, 0, 0);
        TokenCounter counter = ingestion.Chunking?.TokenCounter ?? options.TokenCounter;
        ChunkingPlan plan = ChunkingPlanner.Plan(parsed, counter, ingestion.Chunking);
        IReadOnlyList<TextChunk> chunks = new DocumentChunker(counter).Chunk(parsed, plan);
        var metadata = new Dictionary<string, object>(parsed.Metadata, StringComparer.Ordinal) { ["format"] = format.ToString() };
        string title = FirstNonEmpty(source.Title, parsed.Title, NameOf(source.Id));
        ChunkRecord[] records = chunks.Select(c => new ChunkRecord(c.Text, c.HeadingPath, c.Page, c.Start, c.End, c.TokenCount, [])).ToArray();
        return new Prepared(hash, title, format.ToString(), MetadataJson(metadata, source.Metadata), records, plan);
    }

    private Prepared PrepareChunks(DocumentSource source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var records = new List<ChunkRecord>(source.Chunks!.Count);
        int offset = 0;
        foreach (PrecomputedChunk chunk in source.Chunks)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{chunk.Text}\u0000{chunk.HeadingPath}\u0000{chunk.Page}\u0000"));
            hash.AppendData(VectorMath.ToBlob(chunk.Embedding.Span));
            float[] vector = chunk.Embedding.IsEmpty ? [] : VectorMath.Normalize(chunk.Embedding.Span);
            records.Add(new ChunkRecord(chunk.Text, chunk.HeadingPath, chunk.Page, offset, offset + chunk.Text.Length, options.TokenCounter.Count(chunk.Text), vector));
            offset += chunk.Text.Length;
        }

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal) { ["format"] = "Chunks" };
        return new Prepared(Convert.ToHexStringLower(hash.GetHashAndReset()), FirstNonEmpty(source.Title, null, source.Id), "Chunks", MetadataJson(metadata, source.Metadata), records, null);
    }

    private async Task<float[][]> EmbedMissingAsync(IReadOnlyList<ChunkRecord> chunks, Action<int> embeddedSoFar, CancellationToken cancellationToken)
    {
        int[] missing = Enumerable.Range(0, chunks.Count).Where(i => chunks[i].Embedding.Length == 0).ToArray();
        float[][] vectors = chunks.Select(c => c.Embedding).ToArray();
        if (missing.Length > 0)
        {
            // The heading path gives a chunk the context its text alone may lack ("Installation > Linux").
            string[] inputs = missing.Select(i => chunks[i].HeadingPath.Length > 0 ? chunks[i].HeadingPath + "\n\n" + chunks[i].Text : chunks[i].Text).ToArray();
            float[][] computed = await embedder.EmbedAsync(inputs, embeddedSoFar, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < missing.Length; i++)
            {
                vectors[missing[i]] = computed[i];
            }
        }

        return vectors;
    }

    private static string MetadataJson(Dictionary<string, object> found, IReadOnlyDictionary<string, string>? caller)
    {
        foreach ((string key, string value) in caller ?? new Dictionary<string, string>())
        {
            found[key] = value;
        }

        return JsonSerializer.Serialize(found);
    }

    private static string NameOf(string id)
    {
        string path = Uri.TryCreate(id, UriKind.Absolute, out Uri? uri) && !uri.IsFile ? uri.AbsolutePath.TrimEnd('/') : id;
        string name = Path.GetFileName(path);
        return name.Length > 0 ? name : id;
    }

    private static string FirstNonEmpty(string? first, string? second, string fallback) =>
        !string.IsNullOrWhiteSpace(first) ? first : !string.IsNullOrWhiteSpace(second) ? second : fallback;

    /// <summary>A document ready to embed and store; <see cref="Plan"/> is null for caller-made chunks.</summary>
    private sealed record Prepared(string Hash, string Title, string Format, string MetadataJson, IReadOnlyList<ChunkRecord> Chunks, ChunkingPlan? Plan);
}
