using OffGrid.Rag.Federation;
using OffGrid.Rag.Search;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// The server's knowledge search under governance: a caller searches only the collections they are allowed
/// (<see cref="CollectionAccess"/>), whether through <c>/v1/knowledge/search</c> or a chat request's <c>knowledge</c> field,
/// before any index or node is queried. Thread-safe.
/// </summary>
internal sealed class GovernedKnowledgeSearch(IKnowledgeSearch inner, CollectionAccess access) : IKnowledgeSearch
{
    public async Task<KnowledgeSearchResult> SearchAsync(IReadOnlyList<string> collections, string query, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        await access.EnsureAllowedAsync(collections, cancellationToken).ConfigureAwait(false);
        return await inner.SearchAsync(collections, query, options, cancellationToken).ConfigureAwait(false);
    }
}
