using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Embeddings;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag.Ingestion;

/// <summary>
/// Runs documents through load → hash check → read → chunk → embed → store as a pipeline: up to
/// <see cref="RagOptions.IngestionParallelism"/> documents are loaded and parsed at once, their chunks are embedded in batches
/// that span documents, and a single writer stores each document in its own transaction, in input order. Each document is
/// independent: a failure becomes that document's result and the batch goes on; only cancellation stops the batch.
/// </summary>
/// <remarks>
/// Thread-safe; concurrent ingestions serialise only on the store's write transaction. Because every document commits on its
/// own, a crash keeps the finished ones, and the next run skips them by content hash.
/// </remarks>
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
        var batch = new Batch(sources, progress);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Parsing runs ahead of embedding by a bounded window, so memory stays bounded for any batch size.
        int window = Math.Max(2, options.IngestionParallelism * 4);
        var slots = new TaskCompletionSource<Work>[sources.Count];
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = new TaskCompletionSource<Work>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        using var ahead = new SemaphoreSlim(window);
        Channel<Work> toStore = Channel.CreateBounded<Work>(new BoundedChannelOptions(window) { SingleReader = true, SingleWriter = true });
        Task parse = ParseAllAsync(sources, slots, ahead, ingestion, batch, stop.Token);
        Task embed = EmbedInOrderAsync(slots, ahead, toStore.Writer, batch, stop.Token);
        Task write = StoreAllAsync(toStore.Reader, batch, stop.Token);
        try
        {
            await Task.WhenAll(parse, embed, write).ConfigureAwait(false);
        }
        catch
        {
            // One stage failing (only cancellation or a bug can) stops the others before the error surfaces.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(parse, embed, write).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }

        return batch.Results;
    }

    private Task ParseAllAsync(IReadOnlyList<DocumentSource> sources, TaskCompletionSource<Work>[] slots, SemaphoreSlim ahead, IngestionOptions ingestion, Batch batch, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            InWindow(sources.Count, ahead, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = options.IngestionParallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                Work work = await PrepareAsync(index, sources[index], ingestion, batch, token).ConfigureAwait(false);
                slots[index].TrySetResult(work);
            });

    /// <summary>
    /// The indexes of the documents, each once it has a place in the window ahead of embedding. The place is taken before the
    /// index is handed out, so places go in input order: had a parser taken its place after its index, another could take
    /// every place for later documents while it waited, and embedding (which frees places in order) would wait for its
    /// document forever.
    /// </summary>
    private static async IAsyncEnumerable<int> InWindow(int count, SemaphoreSlim ahead, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int index = 0; index < count; index++)
        {
            await ahead.WaitAsync(cancellationToken).ConfigureAwait(false);
            yield return index;
        }
    }

    /// <summary>Takes parsed documents in input order and embeds their chunks in batches of up to <see cref="RagOptions.EmbeddingBatchSize"/>, across documents.</summary>
    private async Task EmbedInOrderAsync(TaskCompletionSource<Work>[] slots, SemaphoreSlim ahead, ChannelWriter<Work> toStore, Batch batch, CancellationToken cancellationToken)
    {
        try
        {
            var pending = new List<Work>();
            for (int next = 0; next < slots.Length || pending.Count > 0;)
            {
                // Embed once a batch is full, or when the next document is not parsed yet, so the embedder never waits idle.
                bool nextReady = next < slots.Length && slots[next].Task.IsCompleted;
                if (pending.Sum(p => p.Missing) >= options.EmbeddingBatchSize || (pending.Count > 0 && !nextReady))
                {
                    await EmbedBatchAsync(pending, batch, cancellationToken).ConfigureAwait(false);
                    while (pending.Count > 0 && (pending[0].Missing == 0 || pending[0].Result is not null))
                    {
                        await toStore.WriteAsync(pending[0], cancellationToken).ConfigureAwait(false);
                        pending.RemoveAt(0);
                    }

                    continue;
                }

                Work work = await slots[next].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                next++;
                ahead.Release();
                if (pending.Count == 0 && (work.Result is not null || work.Missing == 0))
                {
                    await toStore.WriteAsync(work, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    pending.Add(work);
                }
            }

            toStore.Complete();
        }
        catch (Exception ex)
        {
            toStore.TryComplete(ex);
            throw;
        }
    }

    private async Task EmbedBatchAsync(List<Work> pending, Batch batch, CancellationToken cancellationToken)
    {
        var inputs = new List<(Work Work, int Chunk)>(options.EmbeddingBatchSize);
        foreach (Work work in pending.Where(w => w.Result is null))
        {
            for (int i = 0; i < work.Vectors.Length && inputs.Count < options.EmbeddingBatchSize; i++)
            {
                if (work.Vectors[i] is null)
                {
                    inputs.Add((work, i));
                }
            }
        }

        if (inputs.Count == 0)
        {
            return;
        }

        try
        {
            // The heading path gives a chunk the context its text alone may lack ("Installation > Linux").
            string[] texts = [.. inputs.Select(x => x.Work.Prepared!.Chunks[x.Chunk] is var c && c.HeadingPath.Length > 0 ? c.HeadingPath + "\n\n" + c.Text : c.Text)];
            float[][] vectors = await embedder.EmbedAsync(texts, embeddedSoFar: null, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < inputs.Count; i++)
            {
                inputs[i].Work.Vectors[inputs[i].Chunk] = vectors[i];
                inputs[i].Work.Missing--;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Every document with a chunk in the failed call fails; the others go on.
            foreach (Work work in inputs.Select(x => x.Work).Distinct())
            {
                work.Result = Fail(work, ex);
            }
        }

        foreach (Work work in inputs.Select(x => x.Work).Distinct().Where(w => w.Result is null))
        {
            batch.Report(work.Source, IngestionStage.Embedding, work.Vectors.Length - work.Missing, work.Vectors.Length);
        }
    }

    private async Task StoreAllAsync(ChannelReader<Work> works, Batch batch, CancellationToken cancellationToken)
    {
        await foreach (Work work in works.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            IngestionResult result = work.Result ?? await StoreAsync(work, batch, cancellationToken).ConfigureAwait(false);
            batch.Complete(work.Index, result);
        }
    }

    private async Task<IngestionResult> StoreAsync(Work work, Batch batch, CancellationToken cancellationToken)
    {
        Prepared prepared = work.Prepared!;
        ChunkRecord[] records = [.. prepared.Chunks.Select((c, i) => c with { Embedding = work.Vectors[i]! })];
        try
        {
            batch.Report(work.Source, IngestionStage.Storing, records.Length, records.Length);
            var document = new DocumentRecord(work.Template.Collection, work.Source.Id, prepared.Title, prepared.Format, prepared.Hash, prepared.MetadataJson, prepared.Bytes);
            long id = await store.ReplaceDocumentAsync(document, records, cancellationToken).ConfigureAwait(false);
            RagTelemetry.ChunksStored.Add(records.Length);
            return work.Template with
            {
                Status = work.Template.DocumentId is null ? IngestionStatus.Added : IngestionStatus.Updated,
                DocumentId = id,
                ChunkCount = records.Length,
                Bytes = prepared.Bytes,
                Profile = prepared.Plan?.Profile,
                MaxTokens = prepared.Plan?.MaxTokens ?? 0,
                OverlapTokens = prepared.Plan?.OverlapTokens ?? 0,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Fail(work, ex);
        }
    }

    /// <summary>Loads, hash-checks, reads and chunks one document; an unchanged or failed document comes back with its result set.</summary>
    private async Task<Work> PrepareAsync(int index, DocumentSource source, IngestionOptions ingestion, Batch batch, CancellationToken cancellationToken)
    {
        string collection = source.Collection ?? options.DefaultCollection;
        var template = new IngestionResult { Source = source.Id, Collection = collection, Status = IngestionStatus.Failed };
        var work = new Work(index, source, template);
        try
        {
            batch.Report(source, IngestionStage.Reading, 0, 0);
            (long Id, string ContentHash, int ChunkCount)? existing = await store.FindDocumentAsync(collection, source.Id, cancellationToken).ConfigureAwait(false);
            work.Template = template with { DocumentId = existing?.Id };
            Prepared prepared = source.Kind == DocumentSourceKind.Chunks
                ? PrepareChunks(source)
                : await PrepareContentAsync(source, existing?.ContentHash, ingestion, batch, cancellationToken).ConfigureAwait(false);
            if (!ingestion.Force && existing?.ContentHash == prepared.Hash)
            {
                work.Result = work.Template with { Status = IngestionStatus.Unchanged, ChunkCount = existing.Value.ChunkCount, Bytes = prepared.Bytes };
                return work;
            }

            if (prepared.Chunks.Count == 0)
            {
                throw new DocumentReadException("The document contains no extractable text.");
            }

            work.Prepared = prepared;
            work.Vectors = [.. prepared.Chunks.Select(c => c.Embedding.Length == 0 ? null : c.Embedding)];
            work.Missing = work.Vectors.Count(v => v is null);
            batch.Report(source, IngestionStage.Embedding, 0, prepared.Chunks.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            work.Result = Fail(work, ex);
        }

        return work;
    }

    private IngestionResult Fail(Work work, Exception ex)
    {
        string error = ex is DocumentReadException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
        logger.LogWarning(ex, "Ingesting {Source} failed: {Error}", work.Source.Id, error);
        RagTelemetry.DocumentsFailed.Add(1);
        return work.Template with { Status = IngestionStatus.Failed, Error = error, Bytes = work.Prepared?.Bytes ?? work.Source.KnownLength ?? 0 };
    }

    private async Task<Prepared> PrepareContentAsync(DocumentSource source, string? storedHash, IngestionOptions ingestion, Batch batch, CancellationToken cancellationToken)
    {
        LoadedContent content = await loader.LoadAsync(source, cancellationToken).ConfigureAwait(false);
        string hash = Convert.ToHexStringLower(SHA256.HashData(content.Bytes));
        if (!ingestion.Force && hash == storedHash)
        {
            // Unchanged: skip parsing, chunking and embedding altogether.
            return new Prepared(hash, string.Empty, string.Empty, string.Empty, [], null, content.Bytes.LongLength);
        }

        ContentFormat format = ContentFormatDetector.Detect(source.Format, content.ContentType, source.Id, content.Bytes);
        ParsedDocument parsed = await readers[format].ReadAsync(content.Bytes, content.Address ?? source.Url, cancellationToken).ConfigureAwait(false);

        batch.Report(source, IngestionStage.Chunking, 0, 0);
        TokenCounter counter = ingestion.Chunking?.TokenCounter ?? options.TokenCounter;
        ChunkingPlan plan = ChunkingPlanner.Plan(parsed, counter, ingestion.Chunking);
        IReadOnlyList<TextChunk> chunks = new DocumentChunker(counter).Chunk(parsed, plan);
        var metadata = new Dictionary<string, object>(parsed.Metadata, StringComparer.Ordinal) { ["format"] = format.ToString() };
        string title = FirstNonEmpty(source.Title, parsed.Title, NameOf(source.Id));
        ChunkRecord[] records = chunks.Select(c => new ChunkRecord(c.Text, c.HeadingPath, c.Page, c.Start, c.End, c.TokenCount, [])).ToArray();
        return new Prepared(hash, title, format.ToString(), MetadataJson(metadata, source.Metadata), records, plan, content.Bytes.LongLength);
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
        return new Prepared(Convert.ToHexStringLower(hash.GetHashAndReset()), FirstNonEmpty(source.Title, null, source.Id), "Chunks", MetadataJson(metadata, source.Metadata), records, null, 0);
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
    private sealed record Prepared(string Hash, string Title, string Format, string MetadataJson, IReadOnlyList<ChunkRecord> Chunks, ChunkingPlan? Plan, long Bytes);

    /// <summary>One document on its way through the pipeline; touched by one stage at a time.</summary>
    private sealed class Work(int index, DocumentSource source, IngestionResult template)
    {
        public int Index { get; } = index;

        public DocumentSource Source { get; } = source;

        public IngestionResult Template { get; set; } = template;

        public Prepared? Prepared { get; set; }

        public float[]?[] Vectors { get; set; } = [];

        public int Missing { get; set; }

        /// <summary>Set when the document needs no storing: unchanged or failed.</summary>
        public IngestionResult? Result { get; set; }
    }

    /// <summary>The batch's results and progress reports; reports may come from several threads at once.</summary>
    private sealed class Batch(IReadOnlyList<DocumentSource> sources, IProgress<IngestionProgress>? progress)
    {
        private readonly IngestionResult[] _results = new IngestionResult[sources.Count];
        private int _completed;

        public IReadOnlyList<IngestionResult> Results => _results;

        public void Report(DocumentSource source, IngestionStage stage, int done, int total) =>
            progress?.Report(new IngestionProgress(source.Id, stage, Volatile.Read(ref _completed), sources.Count, done, total));

        public void Complete(int index, IngestionResult result)
        {
            _results[index] = result;
            int completed = Interlocked.Increment(ref _completed);
            progress?.Report(new IngestionProgress(result.Source, IngestionStage.Completed, completed, sources.Count, result.ChunkCount, result.ChunkCount) { Result = result });
        }
    }
}
