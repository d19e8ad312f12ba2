namespace OffGrid.Testing.HuggingFace;

/// <summary>A model repository served by <see cref="LoopbackHubServer"/>: listing fields and files (name → content).</summary>
internal sealed class LoopbackModelRepo
{
    public required string Id { get; init; }

    public string Author => Id.Split('/')[0];

    public long Downloads { get; init; }

    public long Likes { get; init; }

    public DateTimeOffset LastModified { get; init; } = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset CreatedAt { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>false, "auto" or "manual", as the real API reports it.</summary>
    public object Gated { get; init; } = false;

    public string? PipelineTag { get; init; } = "text-generation";

    public List<string> Tags { get; init; } = ["gguf"];

    public string Sha { get; init; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000";

    /// <summary>Files by repository path; the content is either a byte array or a path to a file on disk.</summary>
    public Dictionary<string, object> Files { get; init; } = new(StringComparer.Ordinal);
}
