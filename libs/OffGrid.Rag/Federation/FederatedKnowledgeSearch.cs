using System.Diagnostics;
using System.Globalization;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Search;

namespace OffGrid.Rag.Federation;

/// <summary>
/// Searches knowledge collections together with the remote OffGrid nodes each includes (<see cref="KnowledgeCollections.GetNodesAsync"/>):
/// the local index and every node are queried in parallel, nodes within <see cref="FederationOptions.Deadline"/>, and the
/// rankings are merged by weighted reciprocal-rank fusion, <c>score(hit) = weight / (k + rank)</c> with k =
/// <see cref="FederationOptions.ReciprocalRankK"/> (60) and the local ranking weighing 1. A node that fails or misses the
/// deadline leaves the result partial (<see cref="KnowledgeSearchResult.Partial"/>) instead of failing the search.
/// </summary>
/// <remarks>
/// <para>
/// Collections without nodes are searched exactly as <see cref="KnowledgeCollections.SearchAsync(IReadOnlyList{string}, string, SearchOptions?, CancellationToken)"/>
/// does, scores included. With nodes, a hit's <see cref="SearchScores.Fused"/> is its fusion score; equal scores keep the local
/// ranking first, then the nodes in configuration order. Each node is asked for <see cref="SearchOptions.Top"/> hits with its own
/// API key: the node applies its own permissions, and its answers are not searched again (<c>local_only</c>), so nodes that include
/// each other do not loop.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class FederatedKnowledgeSearch : IKnowledgeSearch, IDisposable
{
    private readonly KnowledgeCollections _collections;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly FederationOptions _options;

    /// <summary>Creates the search over <paramref name="collections"/>.</summary>
    /// <param name="collections">The local collections, which also hold each collection's nodes.</param>
    /// <param name="httpClient">Calls the nodes (its own timeout should not be shorter than the deadline); one of its own when <see langword="null"/>.</param>
    /// <param name="options">Deadline and fusion; validated here.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public FederatedKnowledgeSearch(KnowledgeCollections collections, HttpClient? httpClient = null, FederationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(collections);
        _options = options ?? new FederationOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid federation options: " + string.Join(" ", errors), nameof(options));
        }

        _collections = collections;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the local collections.</summary>
    public KnowledgeCollections Collections => _collections;

    /// <inheritdoc />
    public async Task<KnowledgeSearchResult> SearchAsync(IReadOnlyList<string> collections, string query, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collections);
        ArgumentNullException.ThrowIfNull(query);
        options ??= new SearchOptions();
        string[] names = [.. collections.Distinct(StringComparer.Ordinal)];
        IReadOnlyList<KnowledgeNode>[] nodeLists = await Task.WhenAll(names.Select(c => _collections.GetNodesAsync(c, cancellationToken))).ConfigureAwait(false);
        (string Collection, KnowledgeNode Node)[] nodes = [.. names.Zip(nodeLists).SelectMany(pair => pair.Second.Select(n => (pair.First, n)))];
        Task<IReadOnlyList<SearchHit>> local = _collections.SearchAsync(names, query, options, cancellationToken);
        if (nodes.Length == 0)
        {
            return new KnowledgeSearchResult(await local.ConfigureAwait(false), []);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Deadline);
        Task<(NodeSearchStatus Status, IReadOnlyList<SearchHit> Hits)>[] remote = [.. nodes.Select(n => AskAsync(n.Collection, n.Node, query, options, deadline.Token, cancellationToken))];
        IReadOnlyList<SearchHit> localHits = await local.ConfigureAwait(false);
        (NodeSearchStatus Status, IReadOnlyList<SearchHit> Hits)[] answers = await Task.WhenAll(remote).ConfigureAwait(false);

        var rankings = new List<(double Weight, IReadOnlyList<SearchHit> Hits)>(answers.Length + 1) { (1.0, localHits) };
        rankings.AddRange(nodes.Zip(answers).Select(pair => (pair.First.Node.Weight, pair.Second.Hits)));
        return new KnowledgeSearchResult(Fuse(rankings, _options.ReciprocalRankK, options.Top), [.. answers.Select(a => a.Status)]);
    }

    /// <summary>Disposes the HTTP client when it is the search's own.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Weighted reciprocal-rank fusion of rankings that hold different chunks (each node has its own files): every hit scores
    /// <c>weight / (k + rank)</c> with its 1-based rank in its own ranking; ties keep the order of the rankings, then rank.
    /// The same chunk from two rankings (a node that is this server, or holds a copy of the same file) is kept once, where it
    /// scores best.
    /// </summary>
    internal static IReadOnlyList<SearchHit> Fuse(IReadOnlyList<(double Weight, IReadOnlyList<SearchHit> Hits)> rankings, int k, int top) =>
        [.. rankings
            .SelectMany((ranking, source) => ranking.Hits.Select((hit, i) => (Hit: hit, Source: source, Rank: i + 1, Score: ranking.Weight / (k + i + 1))))
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.Source)
            .ThenBy(h => h.Rank)
            .DistinctBy(h => (h.Hit.Text, h.Hit.Citation.Source, h.Hit.Citation.Title, h.Hit.Citation.ChunkIndex))
            .Take(top)
            .Select(h => h.Hit with { Scores = h.Hit.Scores with { Fused = h.Score } })];

    private async Task<(NodeSearchStatus, IReadOnlyList<SearchHit>)> AskAsync(string collection, KnowledgeNode node, string query, SearchOptions options, CancellationToken deadline, CancellationToken caller)
    {
        long started = Stopwatch.GetTimestamp();
        NodeSearchStatus Status(int hits, string? error) => new(node.Name, node.Url, collection, hits, Stopwatch.GetElapsedTime(started), error);
        try
        {
            IReadOnlyList<SearchHit> hits = await KnowledgeNodeClient.SearchAsync(_http, node, query, options, deadline).ConfigureAwait(false);
            return (Status(hits.Count, null), hits);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return (Status(0, string.Create(CultureInfo.InvariantCulture, $"no answer within the deadline ({_options.Deadline.TotalSeconds:0.###} s)")), []);
        }
        catch (HttpRequestException ex)
        {
            return (Status(0, ex.Message), []);
        }
    }
}
