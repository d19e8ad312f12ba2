using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Pooling;

/// <summary>One loaded model of <c>GET /v1/pool</c>: the pool's figures (<see cref="LoadedModelInfo"/>) and the names clients use for its file.</summary>
/// <remarks>Immutable. Times are Unix seconds, sizes bytes.</remarks>
internal sealed class PoolEntry
{
    /// <summary>The GGUF file.</summary>
    public required string Path { get; init; }

    /// <summary>The model id the pool loaded it under.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// The names clients use for the file (hot-swaps followed; names swapped onto it first); for a <see cref="Draining"/> file, the
    /// names it served before the swap. Empty for a model loaded by path.
    /// </summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Whether a hot-swap replaced it and it only finishes the requests it holds.</summary>
    public bool Draining { get; init; }

    /// <summary>The size of the weights.</summary>
    public long SizeBytes { get; init; }

    /// <summary>What the pool counts for it against its memory budget: weights plus KV cache.</summary>
    public long EstimatedBytes { get; init; }

    /// <summary>Whether it is pinned against keep-alive and eviction.</summary>
    public bool Pinned { get; init; }

    /// <summary>Requests holding it now.</summary>
    public int ActiveLeases { get; init; }

    /// <summary>Requests its engine is decoding now.</summary>
    public int ActiveSequences { get; init; }

    /// <summary>Requests waiting for a free sequence.</summary>
    public int PendingRequests { get; init; }

    /// <summary>The context of one sequence in tokens.</summary>
    public int ContextSize { get; init; }

    /// <summary>When it was loaded.</summary>
    public long LoadedAt { get; init; }

    /// <summary>When it unloads if unused; <see langword="null"/> when it stays.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>The entry for <paramref name="info"/>, served under <paramref name="names"/>.</summary>
    public static PoolEntry From(LoadedModelInfo info, IEnumerable<string> names) => new()
    {
        Path = info.Path,
        Model = info.ModelId,
        Names = [.. names],
        Draining = info.IsDraining,
        SizeBytes = info.SizeBytes,
        EstimatedBytes = info.EstimatedBytes,
        Pinned = info.IsPinned,
        ActiveLeases = info.ActiveLeases,
        ActiveSequences = info.ActiveSequences,
        PendingRequests = info.PendingRequests,
        ContextSize = info.ContextSize,
        LoadedAt = info.LoadedAt.ToUnixTimeSeconds(),
        ExpiresAt = info.ExpiresAt?.ToUnixTimeSeconds(),
    };
}
