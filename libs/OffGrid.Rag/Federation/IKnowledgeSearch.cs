using OffGrid.Rag.Search;

namespace OffGrid.Rag.Federation;

/// <summary>
/// Searches knowledge collections by name and says where each hit came from and which sources could not answer: the seam
/// that chat with knowledge (<c>UseRag</c>) and the hosts' search commands use, local (<see cref="Collections.KnowledgeCollections"/>)
/// or federated across OffGrid nodes (<see cref="FederatedKnowledgeSearch"/>).
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IKnowledgeSearch
{
    /// <summary>Searches the collections and merges their hits, best first.</summary>
    /// <param name="collections">The collection names; at least one.</param>
    /// <param name="query">The question or keywords.</param>
    /// <param name="options">Ranking, filters and size; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits and, when some source failed, which one and why.</returns>
    /// <exception cref="Collections.CollectionNotFoundException">A local collection does not exist.</exception>
    /// <exception cref="Collections.InvalidKnowledgeRequestException">No collection is named, or the options are invalid.</exception>
    Task<KnowledgeSearchResult> SearchAsync(IReadOnlyList<string> collections, string query, SearchOptions? options = null, CancellationToken cancellationToken = default);
}
