using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;

namespace OffGrid.Rag.Collections;

/// <summary>
/// Named knowledge collections in one folder, each a <see cref="KnowledgeBase"/> file of its own with the embedding model and
/// chunking settings it was created with: create, list, delete, ingest (directly or as background <see cref="IngestionJob"/>s)
/// and search one or several collections at once; each collection also keeps the remote <see cref="KnowledgeNode"/>s that
/// <see cref="FederatedKnowledgeSearch"/> includes in its searches. Used by the server's <c>/v1/knowledge</c> API, the CLI's
/// <c>offgrid kb</c> and chat with knowledge (<c>UseRag</c> over collections). As an <see cref="IKnowledgeSearch"/> it searches
/// the local files only.
/// </summary>
/// <remarks>
/// Thread-safe. Collections open on first use and stay open until deleted or disposed; several processes may use the same
/// folder (each file is SQLite in WAL mode). Layout: <c>&lt;Directory&gt;/&lt;name&gt;/knowledge.db</c>, and
/// <c>&lt;name&gt;/uploads/</c> for documents a host keeps copies of so that they can be re-ingested.
/// </remarks>
public sealed class KnowledgeCollections : IKnowledgeSearch, IDisposable
{
    private const string DatabaseFile = "knowledge.db";
    private const string NodesSetting = "nodes";
    private static readonly JsonSerializerOptions s_nodeJson = new(JsonSerializerDefaults.Web);

    private readonly KnowledgeCollectionsOptions _options;
    private readonly IEmbeddingModelResolver _embeddings;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _nodesGate = new(1, 1);
    private readonly Dictionary<string, KnowledgeBase> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IngestionJob> _jobs = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates the catalogue over <see cref="KnowledgeCollectionsOptions.Directory"/> (created when missing).</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="embeddings">Turns a collection's embedding model name into a generator.</param>
    /// <param name="loggerFactory">Logging; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public KnowledgeCollections(KnowledgeCollectionsOptions options, IEmbeddingModelResolver embeddings, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid knowledge collection options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _embeddings = embeddings;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Directory.CreateDirectory(options.Directory);
    }

    /// <summary>Gets the folder that holds the collections.</summary>
    public string RootDirectory => _options.Directory;

    /// <summary>Gets the ingestion jobs that run or ran recently, newest first.</summary>
    public IReadOnlyList<IngestionJob> Jobs => [.. _jobs.Values.OrderByDescending(j => j.CreatedAt)];

    /// <summary>Creates a collection; the embedding model is resolved first, so that an unknown model fails here rather than at the first ingestion.</summary>
    /// <param name="definition">Name, embedding model and chunking.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new, empty collection.</returns>
    /// <exception cref="InvalidKnowledgeRequestException">The definition is invalid.</exception>
    /// <exception cref="CollectionExistsException">The name is taken.</exception>
    public async Task<CollectionInfo> CreateAsync(CollectionDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidKnowledgeRequestException(errors[0].Message, errors[0].Field);
        }

        await _embeddings.GetEmbeddingGeneratorAsync(definition.EmbeddingModel, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            string folder = FolderOf(definition.Name);
            if (File.Exists(Path.Combine(folder, DatabaseFile)))
            {
                throw new CollectionExistsException(definition.Name);
            }

            try
            {
                KnowledgeBase knowledgeBase = OpenFile(definition.Name, definition.EmbeddingModel);
                DateTimeOffset created = DateTimeOffset.UtcNow;
                await knowledgeBase.Store.WriteSettingsAsync(ToSettings(definition, created), cancellationToken).ConfigureAwait(false);
                _open[definition.Name] = knowledgeBase;
                return new CollectionInfo(definition, created, await knowledgeBase.GetStatisticsAsync(cancellationToken).ConfigureAwait(false));
            }
            catch
            {
                Forget(definition.Name);
                Directory.Delete(folder, recursive: true);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lists the collections, by name.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every collection with its statistics.</returns>
    public async Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var collections = new List<CollectionInfo>();
        foreach (string folder in Directory.EnumerateDirectories(_options.Directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            if (CollectionDefinition.IsValidName(name) && File.Exists(Path.Combine(folder, DatabaseFile)))
            {
                try
                {
                    collections.Add(await GetAsync(name, cancellationToken).ConfigureAwait(false));
                }
                catch (CollectionNotFoundException)
                {
                    // Deleted meanwhile, or a folder being created: not a collection yet.
                }
            }
        }

        return collections;
    }

    /// <summary>Gets one collection with its statistics.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The collection.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task<CollectionInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        KnowledgeBase knowledgeBase = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        (CollectionDefinition definition, DateTimeOffset created) = ReadDefinition(name, knowledgeBase);
        return new CollectionInfo(definition, created, await knowledgeBase.GetStatisticsAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Deletes a collection with its documents, cancelling its running ingestion jobs first.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the files are gone.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        IngestionJob[] running = [.. _jobs.Values.Where(j => j.Collection == name && j.Status == IngestionJobStatus.Running)];
        foreach (IngestionJob job in running)
        {
            job.Cancel();
        }

        await Task.WhenAll(running.Select(j => j.Completion)).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Forget(name);
            string folder = FolderOf(name);
            if (!Directory.Exists(folder))
            {
                throw new CollectionNotFoundException(name);
            }

            Directory.Delete(folder, recursive: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gets a collection's knowledge base, to ingest, list or search it directly. It stays owned by this catalogue.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open knowledge base.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task<KnowledgeBase> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(name, out KnowledgeBase? open))
            {
                return open;
            }

            string database = Path.Combine(FolderOf(name), DatabaseFile);
            if (!CollectionDefinition.IsValidName(name) || !File.Exists(database))
            {
                throw new CollectionNotFoundException(name);
            }

            KnowledgeBase knowledgeBase = OpenFile(name, embeddingModel: null);
            if (knowledgeBase.Store.ReadSetting("embedding_model") is null)
            {
                // A folder another process is still creating.
                knowledgeBase.Dispose();
                throw new CollectionNotFoundException(name);
            }

            _open[name] = knowledgeBase;
            return knowledgeBase;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The folder where a host keeps copies of documents it ingested from uploads (created on demand).</summary>
    /// <param name="name">The collection name.</param>
    /// <returns>The folder's full path.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public string GetUploadsDirectory(string name)
    {
        if (!CollectionDefinition.IsValidName(name) || !File.Exists(Path.Combine(FolderOf(name), DatabaseFile)))
        {
            throw new CollectionNotFoundException(name);
        }

        return Directory.CreateDirectory(Path.Combine(FolderOf(name), "uploads")).FullName;
    }

    /// <summary>Ingests documents into a collection with its chunking settings and waits for them; see <see cref="KnowledgeBase.IngestAsync(IEnumerable{DocumentSource}, IngestionOptions?, IProgress{IngestionProgress}?, CancellationToken)"/>.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="sources">The documents; their own collection is ignored.</param>
    /// <param name="force">Whether unchanged documents are ingested again.</param>
    /// <param name="progress">Receives a report at each stage of each document, possibly from several threads.</param>
    /// <param name="cancellationToken">Cancels the batch; finished documents stay stored.</param>
    /// <returns>One result per source, in order.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task<IReadOnlyList<IngestionResult>> IngestAsync(string name, IEnumerable<DocumentSource> sources, bool force = false, IProgress<IngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        KnowledgeBase knowledgeBase = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        (CollectionDefinition definition, _) = ReadDefinition(name, knowledgeBase);
        DocumentSource[] inCollection = [.. sources.Select(s => s with { Collection = name })];
        return await knowledgeBase.IngestAsync(inCollection, IngestionOptionsOf(definition, force), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts ingesting documents into a collection in the background.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="sources">The documents; their own collection is ignored.</param>
    /// <param name="force">Whether unchanged documents are ingested again.</param>
    /// <param name="cancellationToken">Cancels looking up the collection (not the job: use <see cref="IngestionJob.Cancel"/>).</param>
    /// <returns>The running job.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task<IngestionJob> StartIngestionAsync(string name, IReadOnlyList<DocumentSource> sources, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        var job = new IngestionJob(name, sources);
        _jobs[job.Id] = job;
        job.Start((progress, token) => IngestAsync(name, sources, force, progress, token));
        ForgetOldJobs();
        return job;
    }

    /// <summary>Gets a job by id.</summary>
    /// <param name="id">The job id.</param>
    /// <returns>The job, or <see langword="null"/> when unknown or forgotten.</returns>
    public IngestionJob? GetJob(string id) => _jobs.TryGetValue(id, out IngestionJob? job) ? job : null;

    /// <summary>
    /// Searches one or several collections with hybrid keyword + vector ranking and merges the hits by fused score. This is the
    /// entry point for "search collection X" from any host or tool.
    /// </summary>
    /// <param name="collections">The collection names; at least one.</param>
    /// <param name="query">The question or keywords.</param>
    /// <param name="options">Ranking, filters and size (<see cref="SearchOptions.Collection"/> is ignored); defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The best <see cref="SearchOptions.Top"/> hits over all the collections, best first.</returns>
    /// <exception cref="CollectionNotFoundException">A collection does not exist.</exception>
    /// <exception cref="InvalidKnowledgeRequestException">No collection is named, or the options are invalid.</exception>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(IReadOnlyList<string> collections, string query, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collections);
        ArgumentNullException.ThrowIfNull(query);
        options ??= new SearchOptions();
        if (collections.Count == 0)
        {
            throw new InvalidKnowledgeRequestException("Name at least one collection to search.", "collections");
        }

        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidKnowledgeRequestException("Invalid search options: " + string.Join(" ", errors));
        }

        KnowledgeBase[] bases = await Task.WhenAll(collections.Distinct(StringComparer.Ordinal).Select(c => OpenAsync(c, cancellationToken))).ConfigureAwait(false);
        var perCollection = new SearchOptions
        {
            Top = options.Top,
            Alpha = options.Alpha,
            Fusion = options.Fusion,
            ReciprocalRankK = options.ReciprocalRankK,
            CandidatePoolSize = options.CandidatePoolSize,
            Filters = options.Filters,
            MinScore = options.MinScore,
        };
        IReadOnlyList<SearchHit>[] results = await Task.WhenAll(bases.Select(b => b.SearchAsync(query, perCollection, cancellationToken))).ConfigureAwait(false);
        return [.. results.SelectMany(r => r).OrderByDescending(h => h.Scores.Fused).ThenBy(h => h.Citation.Collection, StringComparer.Ordinal).ThenBy(h => h.Citation.ChunkId).Take(options.Top)];
    }

    /// <inheritdoc />
    async Task<KnowledgeSearchResult> IKnowledgeSearch.SearchAsync(IReadOnlyList<string> collections, string query, SearchOptions? options, CancellationToken cancellationToken) =>
        new(await SearchAsync(collections, query, options, cancellationToken).ConfigureAwait(false), []);

    /// <summary>Gets the remote nodes a collection includes in federated searches, in the order they were added.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes; empty when there are none.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    public async Task<IReadOnlyList<KnowledgeNode>> GetNodesAsync(string name, CancellationToken cancellationToken = default)
    {
        KnowledgeBase knowledgeBase = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        return ReadNodes(knowledgeBase);
    }

    /// <summary>Adds a remote node to a collection, or replaces the node of the same name.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="node">The node.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The collection's nodes afterwards.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    /// <exception cref="InvalidKnowledgeRequestException">The node is invalid.</exception>
    public async Task<IReadOnlyList<KnowledgeNode>> SetNodeAsync(string name, KnowledgeNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidKnowledgeRequestException(errors[0].Message, errors[0].Field);
        }

        return await ChangeNodesAsync(name, nodes =>
        {
            int index = nodes.FindIndex(n => n.Name == node.Name);
            if (index >= 0)
            {
                nodes[index] = node;
            }
            else
            {
                nodes.Add(node);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a remote node from a collection.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="node">The node's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The collection's nodes afterwards.</returns>
    /// <exception cref="CollectionNotFoundException">There is no such collection.</exception>
    /// <exception cref="KnowledgeNodeNotFoundException">The collection has no such node.</exception>
    public Task<IReadOnlyList<KnowledgeNode>> RemoveNodeAsync(string name, string node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return ChangeNodesAsync(name, nodes =>
        {
            if (nodes.RemoveAll(n => n.Name == node) == 0)
            {
                throw new KnowledgeNodeNotFoundException(name, node);
            }
        }, cancellationToken);
    }

    /// <summary>Cancels running jobs and closes every collection.</summary>
    public void Dispose()
    {
        foreach (IngestionJob job in _jobs.Values)
        {
            job.Cancel();
        }

        Task.WhenAll(_jobs.Values.Select(j => j.Completion)).Wait(TimeSpan.FromSeconds(30));
        _gate.Wait();
        try
        {
            _disposed = true;
            foreach (KnowledgeBase knowledgeBase in _open.Values)
            {
                knowledgeBase.Dispose();
            }

            _open.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Dictionary<string, string> ToSettings(CollectionDefinition definition, DateTimeOffset created)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = definition.Name,
            ["embedding_model"] = definition.EmbeddingModel,
            ["created_at"] = created.ToString("O", CultureInfo.InvariantCulture),
        };
        if (definition.ChunkMaxTokens is int max)
        {
            settings["chunk_max_tokens"] = max.ToString(CultureInfo.InvariantCulture);
        }

        if (definition.ChunkOverlapTokens is int overlap)
        {
            settings["chunk_overlap_tokens"] = overlap.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(definition.Description))
        {
            settings["description"] = definition.Description;
        }

        return settings;
    }

    private static (CollectionDefinition Definition, DateTimeOffset CreatedAt) ReadDefinition(string name, KnowledgeBase knowledgeBase)
    {
        string? Read(string key) => knowledgeBase.Store.ReadSetting(key);
        int? ReadInt(string key) => Read(key) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        var definition = new CollectionDefinition
        {
            Name = name,
            EmbeddingModel = Read("embedding_model") ?? throw new CollectionNotFoundException(name),
            ChunkMaxTokens = ReadInt("chunk_max_tokens"),
            ChunkOverlapTokens = ReadInt("chunk_overlap_tokens"),
            Description = Read("description"),
        };
        DateTimeOffset created = Read("created_at") is { } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        return (definition, created);
    }

    private static IngestionOptions IngestionOptionsOf(CollectionDefinition definition, bool force) => new()
    {
        Force = force,
        Chunking = definition.ChunkMaxTokens is null && definition.ChunkOverlapTokens is null
            ? null
            : new ChunkingOptions { MaxTokens = definition.ChunkMaxTokens, OverlapTokens = definition.ChunkOverlapTokens },
    };

    private string FolderOf(string name) => Path.Combine(_options.Directory, name);

    /// <summary>Opens the collection's file; the embedding model is read from it unless given (while creating).</summary>
    private KnowledgeBase OpenFile(string name, string? embeddingModel)
    {
        RagOptions options = _options.Rag.Clone();
        options.DatabasePath = Path.Combine(FolderOf(name), DatabaseFile);
        options.DefaultCollection = name;
        KnowledgeBase? knowledgeBase = null;
        string Model() => embeddingModel ?? knowledgeBase!.Store.ReadSetting("embedding_model") ?? throw new CollectionNotFoundException(name);
        knowledgeBase = new KnowledgeBase(options, new ResolvingEmbeddingGenerator(_embeddings, Model), _loggerFactory);
        return knowledgeBase;
    }

    private static List<KnowledgeNode> ReadNodes(KnowledgeBase knowledgeBase) =>
        knowledgeBase.Store.ReadSetting(NodesSetting) is { } json ? JsonSerializer.Deserialize<List<KnowledgeNode>>(json, s_nodeJson) ?? [] : [];

    /// <summary>Reads, changes and writes a collection's nodes; one change at a time, so that concurrent additions are all kept.</summary>
    private async Task<IReadOnlyList<KnowledgeNode>> ChangeNodesAsync(string name, Action<List<KnowledgeNode>> change, CancellationToken cancellationToken)
    {
        KnowledgeBase knowledgeBase = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        await _nodesGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<KnowledgeNode> nodes = ReadNodes(knowledgeBase);
            change(nodes);
            await knowledgeBase.Store.WriteSettingsAsync(new Dictionary<string, string> { [NodesSetting] = JsonSerializer.Serialize(nodes, s_nodeJson) }, cancellationToken).ConfigureAwait(false);
            return nodes;
        }
        finally
        {
            _nodesGate.Release();
        }
    }

    private void Forget(string name)
    {
        if (_open.Remove(name, out KnowledgeBase? knowledgeBase))
        {
            knowledgeBase.Dispose();
        }
    }

    private void ForgetOldJobs()
    {
        foreach (IngestionJob old in _jobs.Values.Where(j => j.Status != IngestionJobStatus.Running).OrderByDescending(j => j.CreatedAt).Skip(_options.RetainedJobs).ToList())
        {
            _jobs.TryRemove(old.Id, out _);
        }
    }
}
