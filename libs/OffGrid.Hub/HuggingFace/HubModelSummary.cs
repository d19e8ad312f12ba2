using OffGrid.Hub.Quantization;

namespace OffGrid.Hub.HuggingFace;

/// <summary>A model repository as a search lists it.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record HubModelSummary
{
    /// <summary>Gets the repository id <c>owner/name</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the owner.</summary>
    public string? Author { get; init; }

    /// <summary>Gets the recent download count.</summary>
    public long Downloads { get; init; }

    /// <summary>Gets the like count.</summary>
    public long Likes { get; init; }

    /// <summary>Gets the time of the last change.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Gets the creation time.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets a value indicating whether the repository is gated (a licence must be accepted and a token used).</summary>
    public bool IsGated { get; init; }

    /// <summary>Gets the tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the task, for example <c>text-generation</c>.</summary>
    public string? PipelineTag { get; init; }

    /// <summary>Gets the file names in the repository (when the search asked for them).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Gets the commit the listing describes.</summary>
    public string? Sha { get; init; }

    /// <summary>Gets the GGUF variants, with sizes when a file listing was fetched (size filters), else with size 0.</summary>
    public IReadOnlyList<ModelVariant> Variants { get; init; } = [];

    /// <summary>Gets a value indicating whether the model looks tuned for chat: a <c>conversational</c> tag, or <c>instruct</c>, <c>chat</c> or <c>-it</c> in its name.</summary>
    public bool IsChatModel =>
        Tags.Contains("conversational", StringComparer.OrdinalIgnoreCase)
        || Id.Contains("instruct", StringComparison.OrdinalIgnoreCase)
        || Id.Contains("chat", StringComparison.OrdinalIgnoreCase)
        || Id.Contains("-it-", StringComparison.OrdinalIgnoreCase)
        || Id.EndsWith("-it", StringComparison.OrdinalIgnoreCase);
}
