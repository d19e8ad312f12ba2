using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Rag.Embeddings;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag;

/// <summary>
/// A local knowledge base in one SQLite file: ingest files, URLs, text or prepared chunks; search them with hybrid BM25 + vector
/// ranking; get citations for every hit. Works with any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.
/// </summary>
/// <remarks>
/// Thread-safe: searches run concurrently with each other and with ingestion (SQLite WAL mode); writes are serialised, one
/// transaction per document. Several processes may open the same file. Dispose when done to close the database.
/// </remarks>
public sealed class KnowledgeBase : IDisposable
{
    private readonly RagOptions _options;
    private readonly SqliteKnowledgeStore _store;
    private readonly DocumentIngestor _ingestor;
    private readonly HybridSearcher _searcher;
    private readonly ChunkEmbedder _embedder;
    private readonly HttpClient _httpClient;
    private readonly ILogger _logger;

    /// <summary>Opens (creating if needed) the knowledge base described by <paramref name="options"/>.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="embeddingGenerator">Computes chunk and query embeddings; use the same model for the life of the file.</param>
    /// <param name="loggerFactory">Logging; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException"><see cref="VectorSearchMode.SqliteVec"/> was required but sqlite-vec cannot be loaded.</exception>
    public KnowledgeBase(RagOptions options, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        options.ThrowIfInvalid();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KnowledgeBase>();
        _store = new SqliteKnowledgeStore(options, _logger);

        _httpClient = new HttpClient(PrivateNetworkGuard.CreateHandler(options.AllowPrivateNetworkUrls)) { Timeout = Timeout.InfiniteTimeSpan };
        var embedder = _embedder = new ChunkEmbedder(embeddingGenerator, options.EmbeddingBatchSize);
        var loader = new DocumentLoader(new UrlFetcher(_httpClient, options.MaxDocumentBytes, options.UrlFetchTimeout, options.MaxRedirects), options.MaxDocumentBytes);
        IDocumentReader[] readers = [new PlainTextReader(), new MarkdownReader(), new HtmlReader(), new PdfReader(), new DocxReader()];
        _ingestor = new DocumentIngestor(options, _store, embedder, loader, readers.ToDictionary(r => r.Format), _logger);
        _searcher = new HybridSearcher(_store, embedder);
    }

    /// <summary>Gets the full path of the SQLite file.</summary>
    public string DatabasePath => Path.GetFullPath(_options.DatabasePath);

    /// <summary>
    /// Gets this knowledge base as a Microsoft.Extensions.VectorData <see cref="Microsoft.Extensions.VectorData.VectorStore"/>
    /// (collections of <see cref="VectorData.KnowledgeRecord"/> with string keys) over the same file.
    /// </summary>
    /// <returns>A store that leaves this knowledge base open when disposed.</returns>
    public Microsoft.Extensions.VectorData.VectorStore AsVectorStore() => new VectorData.KnowledgeVectorStore(this);

    /// <summary>Gets the vector search implementation in use (sqlite-vec or the exact in-process fallback).</summary>
    public VectorSearchBackend VectorSearchBackend => _store.Backend;

    /// <summary>Ingests one document; unchanged content is a no-op and changed content replaces the old chunks atomically.</summary>
    /// <param name="source">The document.</param>
    /// <param name="options">Per-call settings.</param>
    /// <param name="cancellationToken">Cancels the ingestion; nothing of the document is stored then.</param>
    /// <returns>What was done; failures are reported here, not thrown.</returns>
    public async Task<IngestionResult> IngestAsync(DocumentSource source, IngestionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return (await IngestAsync([source], options, progress: null, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Ingests documents as a pipeline: several are read and parsed at once (<see cref="RagOptions.IngestionParallelism"/>),
    /// chunks of consecutive documents share embedding calls, and each document is stored in its own transaction, in input
    /// order. A failing document is reported in its result and does not stop the batch; unchanged content (same SHA-256) is
    /// skipped before it is parsed, so re-running an interrupted batch only does what is left.
    /// </summary>
    /// <param name="sources">The documents.</param>
    /// <param name="options">Per-call settings.</param>
    /// <param name="progress">Receives a report at each stage of each document, possibly from several threads at once.</param>
    /// <param name="cancellationToken">Cancels the batch; documents already finished stay stored.</param>
    /// <returns>One result per source, in order.</returns>
    public Task<IReadOnlyList<IngestionResult>> IngestAsync(IEnumerable<DocumentSource> sources, IngestionOptions? options = null, IProgress<IngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        DocumentSource[] list = sources.ToArray();
        if (list.Any(s => s is null))
        {
            throw new ArgumentException("The sources must not contain null.", nameof(sources));
        }

        IngestionOptions effective = options ?? new IngestionOptions();
        if (effective.Chunking?.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid chunking options: " + string.Join(" ", errors), nameof(options));
        }

        return _ingestor.IngestAsync(list, effective, progress, cancellationToken);
    }

    /// <summary>Searches with hybrid keyword + vector ranking.</summary>
    /// <param name="query">The question or keywords.</param>
    /// <param name="options">Ranking, filters and size; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The best hits, best first, each with citation data and a score breakdown.</returns>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        options ??= new SearchOptions();
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid search options: " + string.Join(" ", errors), nameof(options));
        }

        using Activity? activity = RagTelemetry.ActivitySource.StartActivity("rag.search");
        long started = Stopwatch.GetTimestamp();
        IReadOnlyList<SearchHit> hits = await _searcher.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
        RagTelemetry.SearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        activity?.SetTag("offgrid.rag.hits", hits.Count);
        return hits;
    }

    /// <summary>Deletes a document and its chunks.</summary>
    /// <param name="source">The document key (<see cref="DocumentSource.Id"/>; for files, the full path).</param>
    /// <param name="collection">Its collection; <see langword="null"/> for <see cref="RagOptions.DefaultCollection"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the document existed.</returns>
    public Task<bool> DeleteDocumentAsync(string source, string? collection = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _store.DeleteDocumentAsync(collection ?? _options.DefaultCollection, source, cancellationToken);
    }

    /// <summary>Deletes a collection with all its documents and chunks.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many documents were deleted.</returns>
    public Task<int> DeleteCollectionAsync(string collection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return _store.DeleteCollectionAsync(collection, cancellationToken);
    }

    /// <summary>Lists the stored documents.</summary>
    /// <param name="collection">Only this collection; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The documents, ordered by collection and source.</returns>
    public Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(string? collection = null, CancellationToken cancellationToken = default) =>
        _store.ListDocumentsAsync(collection, cancellationToken);

    /// <summary>Gets one stored document.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document, or <see langword="null"/> when there is none with that id.</returns>
    public Task<StoredDocument?> GetDocumentAsync(long id, CancellationToken cancellationToken = default) => _store.GetDocumentAsync(id, cancellationToken);

    /// <summary>Counts what the file holds.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Documents, chunks, content bytes, vector size and the in-memory index's size.</returns>
    public async Task<KnowledgeBaseStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        (long documents, long chunks, long bytes) = await _store.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        return new KnowledgeBaseStatistics(documents, chunks, bytes, _store.Dimensions, _store.IndexMemoryBytes);
    }

    internal SqliteKnowledgeStore Store => _store;

    internal Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken) => _embedder.EmbedQueryAsync(text, cancellationToken);

    /// <summary>Closes the database. The embedding generator is not disposed: it belongs to the caller.</summary>
    public void Dispose()
    {
        _store.Dispose();
        _httpClient.Dispose();
    }
}
