using OffGrid.Rag.Search;

namespace OffGrid.Rag.Federation;

/// <summary>The merged hits of a search and what each remote node answered.</summary>
/// <param name="Hits">The hits, best first; a remote hit's <see cref="Citation.Node"/> names its node.</param>
/// <param name="Nodes">One entry per remote node asked, in configuration order; empty when the collections have no nodes.</param>
public sealed record KnowledgeSearchResult(IReadOnlyList<SearchHit> Hits, IReadOnlyList<NodeSearchStatus> Nodes)
{
    /// <summary>Gets whether some node failed or missed the deadline, so that the hits are a partial result.</summary>
    public bool Partial => Nodes.Any(n => n.Error is not null);
}
