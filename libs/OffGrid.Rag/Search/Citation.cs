namespace OffGrid.Rag.Search;

/// <summary>Where a piece of retrieved text comes from, for showing and checking sources.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record Citation
{
    /// <summary>Gets the document id.</summary>
    public required long DocumentId { get; init; }

    /// <summary>Gets the chunk id.</summary>
    public required long ChunkId { get; init; }

    /// <summary>Gets the collection.</summary>
    public required string Collection { get; init; }

    /// <summary>Gets the document title.</summary>
    public required string Title { get; init; }

    /// <summary>Gets the document source: file path, URL or caller key.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the 1-based page the chunk starts on, for paged formats such as PDF.</summary>
    public int? Page { get; init; }

    /// <summary>Gets the headings above the chunk, outermost first, joined with <c> &gt; </c>.</summary>
    public required string HeadingPath { get; init; }

    /// <summary>Gets the 0-based position of the chunk among the document's chunks.</summary>
    public required int ChunkIndex { get; init; }

    /// <summary>Gets the offset of the chunk's first character in the document's extracted text.</summary>
    public required int StartOffset { get; init; }

    /// <summary>Gets the offset one past the chunk's last character in the document's extracted text.</summary>
    public required int EndOffset { get; init; }

    /// <summary>Gets a short excerpt of the chunk around the first query term.</summary>
    public required string Snippet { get; init; }

    /// <summary>Gets the name of the remote node the chunk came from (see <see cref="Federation.KnowledgeNode"/>), or <see langword="null"/> when it is local.</summary>
    public string? Node { get; init; }

    /// <summary>Gets the root URL of the remote node the chunk came from, or <see langword="null"/> when it is local.</summary>
    public Uri? NodeUrl { get; init; }
}
