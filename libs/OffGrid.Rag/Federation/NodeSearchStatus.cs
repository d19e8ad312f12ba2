namespace OffGrid.Rag.Federation;

/// <summary>What one remote node answered to a federated search.</summary>
/// <param name="Node">The node's name.</param>
/// <param name="Url">The node's root URL.</param>
/// <param name="Collection">The local collection the node belongs to.</param>
/// <param name="Hits">How many hits it returned (0 when it failed).</param>
/// <param name="Elapsed">How long it took, or how long was waited for it.</param>
/// <param name="Error">Why its hits are missing (refused, an HTTP error, no answer within the deadline), or <see langword="null"/> when it answered.</param>
public sealed record NodeSearchStatus(string Node, Uri Url, string Collection, int Hits, TimeSpan Elapsed, string? Error);
