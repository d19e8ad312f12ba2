using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OffGrid.Rag.Embeddings;

namespace OffGrid.Rag.Storage;

/// <summary>
/// The knowledge base file: one SQLite database in WAL mode with collections, documents, chunks (text, offsets, unit-length
/// float32 embedding), an FTS5 index for BM25, and, when sqlite-vec is loaded, a <c>vec0</c> index over the same vectors.
/// </summary>
/// <remarks>
/// Thread-safe. Writes go through one connection, one at a time, each document in one transaction, so a crash leaves either the
/// old or the new chunks. Reads use a small pool of their own connections and run concurrently with the writer (WAL).
/// Every write increments a generation number: this process applies its own writes to the in-memory index as deltas, and a
/// generation it did not write (another process) makes the index reload; it also tells whether the vec0 index (maintained
/// only by processes that have the extension) is in step with the chunks.
/// </remarks>
internal sealed class SqliteKnowledgeStore : IDisposable
{
    // sqlite-vec's k-nearest-neighbour queries accept at most this many results.
    private const int MaxVecNeighbours = 4096;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS store_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT OR IGNORE INTO store_info(key, value) VALUES ('schema_version', '1'), ('generation', '0'), ('vec_generation', '-1');
        CREATE TABLE IF NOT EXISTS collections(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS documents(
            id INTEGER PRIMARY KEY,
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            format TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            ingested_at TEXT NOT NULL,
            size_bytes INTEGER NOT NULL DEFAULT 0,
            UNIQUE(collection_id, source));
        CREATE TABLE IF NOT EXISTS chunks(
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            text TEXT NOT NULL,
            heading_path TEXT NOT NULL,
            page INTEGER,
            start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            token_count INTEGER NOT NULL,
            embedding BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, heading_path, title, tokenize = 'unicode61 remove_diacritics 2');
        """;

    private readonly string _connectionString;
    private readonly string? _vecPath;
    private readonly ILogger _logger;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentBag<SqliteConnection> _readers = [];
    private readonly InMemoryVectorIndex? _index;
    // The writer's vector size, set inside the write transaction that stores the first vectors (write lock held).
    private int _dimensions;

    // The committed vector size that searches use; published only after that transaction commits, so a search
    // never reads a size whose vec0 table its snapshot cannot see yet, nor resets the writer's size to 0.
    private int _committedDimensions;
    private bool _disposed;

    static SqliteKnowledgeStore() => SQLitePCL.Batteries_V2.Init();

    public SqliteKnowledgeStore(RagOptions options, ILogger logger)
    {
        _logger = logger;
        string path = Path.GetFullPath(options.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString();
        _vecPath = ResolveVecExtension(options, logger, out string? vecProblem);
        Backend = _vecPath is not null ? VectorSearchBackend.SqliteVec
            : options.VectorSearch == VectorSearchMode.Quantized ? VectorSearchBackend.Quantized
            : VectorSearchBackend.Exact;
        _index = Backend == VectorSearchBackend.SqliteVec ? null : new InMemoryVectorIndex(Backend == VectorSearchBackend.Quantized);
        _writer = Open();
        Execute(_writer, "PRAGMA journal_mode = WAL;");
        Execute(_writer, Schema);
        if (!ColumnExists(_writer, "documents", "size_bytes"))
        {
            // Files written before document sizes were kept.
            Execute(_writer, "ALTER TABLE documents ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0");
        }
        _dimensions = int.Parse(ReadInfo(_writer, "dimensions") ?? "0", CultureInfo.InvariantCulture);
        _committedDimensions = _dimensions;
        if (Backend == VectorSearchBackend.SqliteVec && _dimensions > 0)
        {
            SynchronizeVecIndex();
        }

        logger.LogInformation("Knowledge base {Path} opened; vector search: {Backend}{Problem}", path, Backend, vecProblem is null ? string.Empty : " (" + vecProblem + ")");
    }

    public VectorSearchBackend Backend { get; }

    public async Task<(long Id, string ContentHash, int ChunkCount)?> FindDocumentAsync(string collection, string source, CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT d.id, d.content_hash, (SELECT count(*) FROM chunks k WHERE k.document_id = d.id) FROM documents d JOIN collections c ON c.id = d.collection_id WHERE c.name = $collection AND d.source = $source";
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$source", source);
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2)) : null;
    }

    /// <summary>Stores a document with its chunks, replacing any previous version of it, in one transaction.</summary>
    public async Task<long> ReplaceDocumentAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _writer.BeginTransaction();
            bool dimensionsChosen = chunks.Count > 0 && EnsureDimensions(chunks[0].Embedding.Length, transaction);
            try
            {
                long collectionId = GetOrCreateCollection(document.Collection, transaction);
                long? existing = FindDocumentId(collectionId, document.Source, transaction);
                if (existing is long oldId)
                {
                    DeleteChunks(oldId, transaction);
                }

                long documentId = UpsertDocument(existing, collectionId, document, transaction);
                long[] chunkIds = InsertChunks(documentId, collectionId, document.Title, chunks, transaction);
                (long previous, long next) = AdvanceGeneration(transaction);
                cancellationToken.ThrowIfCancellationRequested();
                InMemoryVectorIndex.Row[] rows = [.. chunks.Select((c, i) => new InMemoryVectorIndex.Row(chunkIds[i], documentId, c.Embedding))];
                Commit(transaction, previous, next, existing is long replaced ? [replaced] : [], rows);
                Volatile.Write(ref _committedDimensions, _dimensions);
                return documentId;
            }
            catch when (dimensionsChosen)
            {
                // The dimension row and vec0 table roll back with the transaction; forget them here too.
                _dimensions = 0;
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> DeleteDocumentAsync(string collection, string source, CancellationToken cancellationToken) =>
        await DeleteDocumentsAsync("c.name = $collection AND d.source = $source", [("$collection", collection), ("$source", source)], cancellationToken).ConfigureAwait(false) > 0;

    public async Task<int> DeleteCollectionAsync(string collection, CancellationToken cancellationToken)
    {
        int deleted = await DeleteDocumentsAsync("c.name = $collection", [("$collection", collection)], cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteCommand command = _writer.CreateCommand();
            command.CommandText = "DELETE FROM collections WHERE name = $collection";
            command.Parameters.AddWithValue("$collection", collection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return deleted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(string? collection, CancellationToken cancellationToken) =>
        ReadDocumentsAsync("$collection IS NULL OR c.name = $collection", ("$collection", (object?)collection ?? DBNull.Value), cancellationToken);

    public async Task<StoredDocument?> GetDocumentAsync(long id, CancellationToken cancellationToken) =>
        (await ReadDocumentsAsync("d.id = $id", ("$id", id), cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>Documents, chunks and content bytes held.</summary>
    public async Task<(long Documents, long Chunks, long Bytes)> GetStatsAsync(CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks), (SELECT coalesce(sum(size_bytes), 0) FROM documents)";
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The vector size fixed by the first stored document; 0 while the store is empty.</summary>
    public int Dimensions
    {
        get
        {
            using ReaderLease lease = RentReader();
            return int.Parse(ReadInfo(lease.Connection, "dimensions") ?? "0", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>How many times the in-process index was loaded whole (for tests: this process's writes arrive as deltas).</summary>
    public int IndexReloads => _index?.Reloads ?? 0;

    /// <summary>Bytes of memory held by the in-process vector index (0 for sqlite-vec or before the first vector search).</summary>
    public long IndexMemoryBytes => _index?.MemoryBytes ?? 0;

    public async Task<IReadOnlyList<string>> ListCollectionNamesAsync(CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT name FROM collections ORDER BY name";
        var names = new List<string>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task EnsureCollectionAsync(string name, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _writer.BeginTransaction();
            GetOrCreateCollection(name, transaction);
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The first chunk of each matching document with its document's source, title and metadata: one record per document.</summary>
    public async Task<List<StoredRecord>> ReadRecordsAsync(string collection, IReadOnlyCollection<string>? sources, IReadOnlyCollection<long>? chunkIds, CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT k.id, d.source, d.title, d.metadata, k.text, k.embedding
            FROM chunks k JOIN documents d ON d.id = k.document_id JOIN collections c ON c.id = d.collection_id
            WHERE c.name = $collection
            """);
        command.Parameters.AddWithValue("$collection", collection);
        if (sources is not null)
        {
            sql.Append(" AND k.ordinal = 0 AND d.source IN (").Append(string.Join(',', sources.Select((_, i) => "$s" + i.ToString(CultureInfo.InvariantCulture)))).Append(')');
            int i = 0;
            foreach (string source in sources)
            {
                command.Parameters.AddWithValue("$s" + (i++).ToString(CultureInfo.InvariantCulture), source);
            }
        }

        if (chunkIds is not null)
        {
            sql.Append(" AND k.id IN (").Append(string.Join(',', chunkIds)).Append(')');
        }

        command.CommandText = sql.ToString();
        var records = new List<StoredRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            byte[] blob = (byte[])reader.GetValue(5);
            var vector = new float[blob.Length / sizeof(float)];
            VectorMath.FromBlob(blob, vector);
            records.Add(new StoredRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), vector));
        }

        return records;
    }

    /// <summary>Reads a setting stored in the file (collection definitions keep theirs here).</summary>
    public string? ReadSetting(string key)
    {
        using ReaderLease lease = RentReader();
        return ReadInfo(lease.Connection, "setting." + key);
    }

    /// <summary>Writes settings into the file in one transaction.</summary>
    public async Task WriteSettingsAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _writer.BeginTransaction();
            using SqliteCommand command = _writer.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO store_info(key, value) VALUES ($key, $value)";
            SqliteParameter key = command.Parameters.Add("$key", SqliteType.Text);
            SqliteParameter value = command.Parameters.Add("$value", SqliteType.Text);
            foreach ((string name, string text) in settings)
            {
                (key.Value, value.Value) = ("setting." + name, text);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<IReadOnlyList<StoredDocument>> ReadDocumentsAsync(string where, (string Name, object Value) parameter, CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        command.CommandText = $"""
            SELECT d.id, c.name, d.source, d.title, d.format, d.content_hash, d.metadata, d.ingested_at,
                   (SELECT count(*) FROM chunks k WHERE k.document_id = d.id), d.size_bytes
            FROM documents d JOIN collections c ON c.id = d.collection_id
            WHERE {where}
            ORDER BY c.name, d.source
            """;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        var documents = new List<StoredDocument>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using JsonDocument metadata = JsonDocument.Parse(reader.GetString(6));
            documents.Add(new StoredDocument
            {
                Id = reader.GetInt64(0),
                Collection = reader.GetString(1),
                Source = reader.GetString(2),
                Title = reader.GetString(3),
                Format = reader.GetString(4),
                ContentHash = reader.GetString(5),
                Metadata = metadata.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
                IngestedAt = DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture),
                ChunkCount = reader.GetInt32(8),
                SizeBytes = reader.GetInt64(9),
            });
        }

        return documents;
    }

    /// <summary>BM25 over chunk text, heading path and title; scores are negated <c>bm25()</c> so that higher is better.</summary>
    public async Task<List<ScoredChunk>> KeywordSearchAsync(string ftsQuery, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        var sql = new StringBuilder("SELECT f.rowid, -bm25(chunks_fts, 1.0, 0.5, 0.5) AS score FROM chunks_fts f");
        if (!filter.IsEmpty)
        {
            // Only a filter needs each match's document. The joins cost two lookups per matching row (60 % of an unfiltered
            // query's CPU at a million chunks); without them the FTS rows alone are enough, as they are written and deleted
            // in the same transaction as their chunks.
            sql.Append(" JOIN chunks k ON k.id = f.rowid JOIN documents d ON d.id = k.document_id");
        }

        sql.Append(" WHERE chunks_fts MATCH $query");
        filter.AppendTo(sql, command);
        sql.Append(" ORDER BY score DESC, f.rowid LIMIT $limit");
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$query", ftsQuery);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadScoresAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The most cosine-similar chunks, best first, from sqlite-vec or the exact in-memory index.</summary>
    public async Task<List<ScoredChunk>> VectorSearchAsync(float[] query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        using ReaderLease lease = RentReader();
        int dimensions = Volatile.Read(ref _committedDimensions);
        if (dimensions == 0)
        {
            // Another process may have written the first vectors since this store was opened.
            dimensions = int.Parse(ReadInfo(lease.Connection, "dimensions") ?? "0", CultureInfo.InvariantCulture);
            if (dimensions == 0)
            {
                return [];
            }

            Interlocked.CompareExchange(ref _committedDimensions, dimensions, 0);
        }

        if (query.Length != dimensions)
        {
            throw new InvalidOperationException($"The query embedding has {query.Length} dimensions but the knowledge base stores {dimensions}.");
        }

        return Backend == VectorSearchBackend.SqliteVec
            ? await VecSearchAsync(lease.Connection, query, filter, limit, cancellationToken).ConfigureAwait(false)
            : await IndexSearchAsync(lease.Connection, query, filter, limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<long, StoredChunk>> LoadChunksAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var chunks = new Dictionary<long, StoredChunk>();
        if (ids.Count == 0)
        {
            return chunks;
        }

        using ReaderLease lease = RentReader();
        using SqliteCommand command = lease.Connection.CreateCommand();
        command.CommandText = $"""
            SELECT k.id, k.document_id, k.ordinal, k.text, k.heading_path, k.page, k.start_offset, k.end_offset, c.name, d.source, d.title
            FROM chunks k JOIN documents d ON d.id = k.document_id JOIN collections c ON c.id = d.collection_id
            WHERE k.id IN ({string.Join(',', ids)})
            """;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            chunks[reader.GetInt64(0)] = new StoredChunk(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetString(8), reader.GetString(9), reader.GetString(10));
        }

        return chunks;
    }

    public void Dispose()
    {
        _writeLock.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Dispose();
            _index?.Dispose();
            while (_readers.TryTake(out SqliteConnection? reader))
            {
                reader.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static string? ResolveVecExtension(RagOptions options, ILogger logger, out string? problem)
    {
        problem = null;
        if (options.VectorSearch is VectorSearchMode.Exact or VectorSearchMode.Quantized)
        {
            return null;
        }

        string? path = SqliteVecLocator.Locate(options.SqliteVecPath);
        try
        {
            if (path is null)
            {
                throw new FileNotFoundException($"sqlite-vec was not found (set RagOptions.SqliteVecPath or {SqliteVecLocator.EnvironmentVariable}).");
            }

            // Load once into a throw-away connection so that a broken extension is reported here, not on the first query.
            using var probe = new SqliteConnection("Data Source=:memory:");
            probe.Open();
            probe.EnableExtensions(true);
            probe.LoadExtension(path);
            return path;
        }
        catch (Exception ex) when (ex is FileNotFoundException or SqliteException)
        {
            if (options.VectorSearch == VectorSearchMode.SqliteVec)
            {
                throw new InvalidOperationException($"RagOptions.VectorSearch requires sqlite-vec, but it could not be loaded: {ex.Message}", ex);
            }

            logger.LogWarning("sqlite-vec unavailable, using exact in-process vector search: {Reason}", ex.Message);
            problem = ex.Message;
            return null;
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Memory-mapped reads let vector scans and FTS lookups read pages without copying them through the page cache.
        Execute(connection, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 1073741824;");
        if (_vecPath is not null)
        {
            connection.EnableExtensions(true);
            connection.LoadExtension(_vecPath);
        }

        return connection;
    }

    private ReaderLease RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReaderLease(this, _readers.TryTake(out SqliteConnection? connection) ? connection : Open());
    }

    private async Task<List<ScoredChunk>> VecSearchAsync(SqliteConnection connection, float[] query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        if (ReadGeneration(connection) != long.Parse(ReadInfo(connection, "vec_generation")!, CultureInfo.InvariantCulture))
        {
            // Another process without the extension wrote chunks; bring the vec0 index up to date first.
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                SynchronizeVecIndex();
            }
            finally
            {
                _writeLock.Release();
            }
        }

        using SqliteCommand command = connection.CreateCommand();
        command.Parameters.AddWithValue("$query", VectorMath.ToBlob(query));
        command.Parameters.AddWithValue("$limit", Math.Min(limit, MaxVecNeighbours));
        if (filter.HasMetadata)
        {
            // vec0 cannot filter on JSON metadata, so filtered searches compute exact distances over the matching rows.
            var sql = new StringBuilder("SELECT k.id, 1.0 - vec_distance_cosine(k.embedding, $query) AS score FROM chunks k JOIN documents d ON d.id = k.document_id WHERE 1 = 1");
            filter.AppendTo(sql, command);
            sql.Append(" ORDER BY score DESC, k.id LIMIT $limit");
            command.CommandText = sql.ToString();
        }
        else
        {
            // The partition-key constraint is added only when needed: an OR around it would keep vec0 from using it.
            command.CommandText = "SELECT rowid, 1.0 - distance AS score FROM chunks_vec WHERE embedding MATCH $query AND k = $limit"
                + (filter.Collection is null ? string.Empty : " AND collection_id = (SELECT id FROM collections WHERE name = $collection)")
                + " ORDER BY distance";
            command.Parameters.AddWithValue("$collection", (object?)filter.Collection ?? DBNull.Value);
        }

        // vec0 accepts only ORDER BY distance; equal scores are put in id order here, as the exact search does.
        List<ScoredChunk> results = await ReadScoresAsync(command, cancellationToken).ConfigureAwait(false);
        results.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.ChunkId.CompareTo(b.ChunkId));
        return results;
    }

    private async Task<List<ScoredChunk>> IndexSearchAsync(SqliteConnection connection, float[] query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        HashSet<long>? allowed = null;
        if (!filter.IsEmpty)
        {
            using SqliteCommand command = connection.CreateCommand();
            var sql = new StringBuilder("SELECT d.id FROM documents d WHERE 1 = 1");
            filter.AppendTo(sql, command);
            command.CommandText = sql.ToString();
            allowed = [];
            using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                allowed.Add(reader.GetInt64(0));
            }
        }

        List<ScoredChunk> found = _index!.Read(() => ReadGeneration(connection), index => ReloadIndex(connection, index), index => index.Search(query, allowed, limit));
        return _index.Quantized ? Rescore(connection, query, found, limit) : found;
    }

    /// <summary>Replaces the quantized estimates of the candidates with exact cosine similarities from the stored float vectors.</summary>
    private static List<ScoredChunk> Rescore(SqliteConnection connection, float[] query, List<ScoredChunk> candidates, int limit)
    {
        if (candidates.Count == 0)
        {
            return candidates;
        }

        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT id, embedding FROM chunks WHERE id IN ({string.Join(',', candidates.Select(c => c.ChunkId))})";
        var rescored = new List<ScoredChunk>(candidates.Count);
        var vector = new float[query.Length];
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            VectorMath.FromBlob((byte[])reader.GetValue(1), vector);
            rescored.Add(new ScoredChunk(reader.GetInt64(0), System.Numerics.Tensors.TensorPrimitives.Dot(query, vector)));
        }

        rescored.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.ChunkId.CompareTo(b.ChunkId));
        return rescored.Count > limit ? rescored[..limit] : rescored;
    }

    private static void ReloadIndex(SqliteConnection connection, InMemoryVectorIndex index)
    {
        // Generation and rows come from one read transaction so that the index matches the generation it records.
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
        long generation = ReadGeneration(connection, transaction);
        int dimensions = int.Parse(ReadInfo(connection, "dimensions", transaction) ?? "0", CultureInfo.InvariantCulture);
        index.Reload(generation, dimensions, () => ReadRows(connection, transaction, dimensions));
    }

    private static IEnumerable<InMemoryVectorIndex.Row> ReadRows(SqliteConnection connection, SqliteTransaction transaction, int dimensions)
    {
        using SqliteCommand select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT id, document_id, embedding FROM chunks ORDER BY id";
        using SqliteDataReader reader = select.ExecuteReader();
        var vector = new float[dimensions];
        while (reader.Read())
        {
            VectorMath.FromBlob((byte[])reader.GetValue(2), vector);
            yield return new InMemoryVectorIndex.Row(reader.GetInt64(0), reader.GetInt64(1), vector);
        }
    }

    private static async Task<List<ScoredChunk>> ReadScoresAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var results = new List<ScoredChunk>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            results.Add(new ScoredChunk(reader.GetInt64(0), reader.GetDouble(1)));
        }

        return results;
    }

    private async Task<int> DeleteDocumentsAsync(string where, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _writer.BeginTransaction();
            var ids = new List<long>();
            using (SqliteCommand select = _writer.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = $"SELECT d.id FROM documents d JOIN collections c ON c.id = d.collection_id WHERE {where}";
                foreach ((string name, string value) in parameters)
                {
                    select.Parameters.AddWithValue(name, value);
                }

                using SqliteDataReader reader = select.ExecuteReader();
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            foreach (long id in ids)
            {
                DeleteChunks(id, transaction);
                Execute(_writer, $"DELETE FROM documents WHERE id = {id}", transaction);
            }

            (long previous, long next) = AdvanceGeneration(transaction);
            Commit(transaction, previous, next, ids, []);
            return ids.Count;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Fixes the vector size on the first write; returns whether this call chose it.</summary>
    private bool EnsureDimensions(int dimensions, SqliteTransaction transaction)
    {
        if (_dimensions == 0)
        {
            _dimensions = int.Parse(ReadInfo(_writer, "dimensions", transaction) ?? "0", CultureInfo.InvariantCulture);
        }

        if (_dimensions == 0)
        {
            Execute(_writer, $"INSERT OR REPLACE INTO store_info(key, value) VALUES ('dimensions', '{dimensions}')", transaction);
            if (Backend == VectorSearchBackend.SqliteVec)
            {
                CreateVecTable(dimensions, transaction);
                Execute(_writer, "UPDATE store_info SET value = (SELECT value FROM store_info WHERE key = 'generation') WHERE key = 'vec_generation'", transaction);
            }

            _dimensions = dimensions;
            return true;
        }

        if (_dimensions != dimensions)
        {
            throw new InvalidOperationException($"The embeddings have {dimensions} dimensions but the knowledge base stores {_dimensions}; use one embedding model per knowledge base file.");
        }

        return false;
    }

    private void CreateVecTable(int dimensions, SqliteTransaction? transaction) =>
        Execute(_writer, $"CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vec USING vec0(collection_id integer partition key, embedding float[{dimensions}] distance_metric=cosine)", transaction);

    /// <summary>Rebuilds the vec0 index from the chunks when a writer without sqlite-vec changed them. Caller holds the write lock (or is the constructor).</summary>
    private void SynchronizeVecIndex()
    {
        if (ReadGeneration(_writer) == long.Parse(ReadInfo(_writer, "vec_generation")!, CultureInfo.InvariantCulture))
        {
            return;
        }

        _logger.LogInformation("Rebuilding the sqlite-vec index from the stored chunks");
        using SqliteTransaction transaction = _writer.BeginTransaction();
        Execute(_writer, "DROP TABLE IF EXISTS chunks_vec", transaction);
        CreateVecTable(_dimensions, transaction);
        Execute(_writer, "INSERT INTO chunks_vec(rowid, collection_id, embedding) SELECT k.id, d.collection_id, k.embedding FROM chunks k JOIN documents d ON d.id = k.document_id", transaction);
        Execute(_writer, "UPDATE store_info SET value = (SELECT value FROM store_info WHERE key = 'generation') WHERE key = 'vec_generation'", transaction);
        transaction.Commit();
    }

    private (long Previous, long Next) AdvanceGeneration(SqliteTransaction transaction)
    {
        long previous = ReadGeneration(_writer, transaction);
        Execute(_writer, "UPDATE store_info SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'", transaction);
        if (Backend == VectorSearchBackend.SqliteVec)
        {
            // The vec0 rows were maintained in this same transaction, so the index stays in step.
            Execute(_writer, "UPDATE store_info SET value = (SELECT value FROM store_info WHERE key = 'generation') WHERE key = 'vec_generation'", transaction);
        }

        return (previous, previous + 1);
    }

    /// <summary>
    /// Commits a write and applies it to the in-memory index under the index's write lock, so that no search sees the new
    /// generation in the file before the index has it (which would make it reload everything).
    /// </summary>
    private void Commit(SqliteTransaction transaction, long previous, long next, IReadOnlyCollection<long> removedDocuments, IReadOnlyList<InMemoryVectorIndex.Row> added)
    {
        if (_index is null)
        {
            transaction.Commit();
            return;
        }

        using InMemoryVectorIndex.WriteScope scope = _index.BeginWrite();
        transaction.Commit();
        _index.Apply(previous, next, removedDocuments, added);
    }

    private long GetOrCreateCollection(string name, SqliteTransaction transaction)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO collections(name) VALUES ($name) ON CONFLICT(name) DO NOTHING; SELECT id FROM collections WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private long? FindDocumentId(long collectionId, string source, SqliteTransaction transaction)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id FROM documents WHERE collection_id = $collection AND source = $source";
        command.Parameters.AddWithValue("$collection", collectionId);
        command.Parameters.AddWithValue("$source", source);
        return command.ExecuteScalar() is long id ? id : null;
    }

    private long UpsertDocument(long? existing, long collectionId, DocumentRecord document, SqliteTransaction transaction)
    {
        using SqliteCommand command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = existing is null
            ? "INSERT INTO documents(collection_id, source, title, format, content_hash, metadata, ingested_at, size_bytes) VALUES ($collection, $source, $title, $format, $hash, $metadata, $at, $size) RETURNING id"
            : "UPDATE documents SET title = $title, format = $format, content_hash = $hash, metadata = $metadata, ingested_at = $at, size_bytes = $size WHERE id = $id RETURNING id";
        command.Parameters.AddWithValue("$size", document.SizeBytes);
        command.Parameters.AddWithValue("$id", (object?)existing ?? DBNull.Value);
        command.Parameters.AddWithValue("$collection", collectionId);
        command.Parameters.AddWithValue("$source", document.Source);
        command.Parameters.AddWithValue("$title", document.Title);
        command.Parameters.AddWithValue("$format", document.Format);
        command.Parameters.AddWithValue("$hash", document.ContentHash);
        command.Parameters.AddWithValue("$metadata", document.MetadataJson);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private long[] InsertChunks(long documentId, long collectionId, string title, IReadOnlyList<ChunkRecord> chunks, SqliteTransaction transaction)
    {
        var ids = new long[chunks.Count];
        using SqliteCommand insert = _writer.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO chunks(document_id, ordinal, text, heading_path, page, start_offset, end_offset, token_count, embedding)
            VALUES ($document, $ordinal, $text, $heading, $page, $start, $end, $tokens, $embedding) RETURNING id
            """;
        SqliteParameter[] p =
        [
            insert.Parameters.AddWithValue("$document", documentId),
            insert.Parameters.Add("$ordinal", SqliteType.Integer),
            insert.Parameters.Add("$text", SqliteType.Text),
            insert.Parameters.Add("$heading", SqliteType.Text),
            insert.Parameters.Add("$page", SqliteType.Integer),
            insert.Parameters.Add("$start", SqliteType.Integer),
            insert.Parameters.Add("$end", SqliteType.Integer),
            insert.Parameters.Add("$tokens", SqliteType.Integer),
            insert.Parameters.Add("$embedding", SqliteType.Blob),
        ];
        using SqliteCommand fts = _writer.CreateCommand();
        fts.Transaction = transaction;
        fts.CommandText = "INSERT INTO chunks_fts(rowid, text, heading_path, title) VALUES ($id, $text, $heading, $title)";
        SqliteParameter ftsId = fts.Parameters.Add("$id", SqliteType.Integer);
        SqliteParameter ftsText = fts.Parameters.Add("$text", SqliteType.Text);
        SqliteParameter ftsHeading = fts.Parameters.Add("$heading", SqliteType.Text);
        fts.Parameters.AddWithValue("$title", title);
        using SqliteCommand vec = _writer.CreateCommand();
        vec.Transaction = transaction;
        vec.CommandText = "INSERT INTO chunks_vec(rowid, collection_id, embedding) VALUES ($id, $collection, $embedding)";
        SqliteParameter vecId = vec.Parameters.Add("$id", SqliteType.Integer);
        vec.Parameters.AddWithValue("$collection", collectionId);
        SqliteParameter vecEmbedding = vec.Parameters.Add("$embedding", SqliteType.Blob);

        for (int i = 0; i < chunks.Count; i++)
        {
            ChunkRecord chunk = chunks[i];
            if (chunk.Embedding.Length != _dimensions)
            {
                throw new InvalidOperationException($"Chunk {i} has a {chunk.Embedding.Length}-dimensional embedding; the knowledge base stores {_dimensions}.");
            }

            byte[] blob = VectorMath.ToBlob(chunk.Embedding);
            (p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (i, chunk.Text, chunk.HeadingPath, (object?)chunk.Page ?? DBNull.Value);
            (p[5].Value, p[6].Value, p[7].Value, p[8].Value) = (chunk.StartOffset, chunk.EndOffset, chunk.TokenCount, blob);
            long chunkId = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            ids[i] = chunkId;
            (ftsId.Value, ftsText.Value, ftsHeading.Value) = (chunkId, chunk.Text, chunk.HeadingPath);
            fts.ExecuteNonQuery();
            if (Backend == VectorSearchBackend.SqliteVec)
            {
                (vecId.Value, vecEmbedding.Value) = (chunkId, blob);
                vec.ExecuteNonQuery();
            }
        }

        return ids;
    }

    private void DeleteChunks(long documentId, SqliteTransaction transaction)
    {
        Execute(_writer, $"DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE document_id = {documentId})", transaction);
        if (Backend == VectorSearchBackend.SqliteVec && _dimensions > 0)
        {
            Execute(_writer, $"DELETE FROM chunks_vec WHERE rowid IN (SELECT id FROM chunks WHERE document_id = {documentId})", transaction);
        }

        Execute(_writer, $"DELETE FROM chunks WHERE document_id = {documentId}", transaction);
    }

    private static bool ColumnExists(SqliteConnection connection, string table, string column)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = $column";
        command.Parameters.AddWithValue("$column", column);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static long ReadGeneration(SqliteConnection connection, SqliteTransaction? transaction = null) =>
        long.Parse(ReadInfo(connection, "generation", transaction)!, CultureInfo.InvariantCulture);

    private static string? ReadInfo(SqliteConnection connection, string key, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM store_info WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A pooled read connection, returned to the pool when disposed.</summary>
    private readonly struct ReaderLease(SqliteKnowledgeStore store, SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public void Dispose()
        {
            if (store._disposed)
            {
                Connection.Dispose();
            }
            else
            {
                store._readers.Add(Connection);
            }
        }
    }
}
