namespace OffGrid.Rag.Search;

/// <summary>One search result: the chunk text, where it comes from and how it scored.</summary>
/// <param name="Text">The chunk text.</param>
/// <param name="Citation">The source of the chunk.</param>
/// <param name="Scores">The score breakdown.</param>
public sealed record SearchHit(string Text, Citation Citation, SearchScores Scores);
