namespace OffGrid.Inference.Pooling;

/// <summary>A snapshot of one model held by a <see cref="LlamaModelPool"/> (what Ollama's <c>/api/ps</c> lists).</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="ModelId">The model id.</param>
/// <param name="SizeBytes">The size of the weights in bytes.</param>
/// <param name="ContextSize">The context of one sequence in tokens.</param>
/// <param name="ActiveLeases">Leases currently using the model.</param>
/// <param name="LoadedAt">When the model was loaded.</param>
/// <param name="ExpiresAt">When it unloads if unused, or <see langword="null"/> when it stays.</param>
/// <param name="ActiveSequences">Requests its engine is decoding now.</param>
/// <param name="PendingRequests">Requests waiting for a free sequence of its engine.</param>
/// <param name="EstimatedBytes">The memory the pool counts for it against <see cref="LlamaModelPoolOptions.MemoryBudgetBytes"/>: weights plus the KV cache of every sequence.</param>
/// <param name="IsPinned">Whether <see cref="LlamaModelPool.Pin"/> keeps it loaded regardless of keep-alive and eviction.</param>
/// <param name="IsDraining">Whether a hot-swap replaced it (<see cref="LlamaModelPool.SwapAsync"/>): it only finishes the requests it holds, then unloads.</param>
public sealed record LoadedModelInfo(
    string Path, string ModelId, long SizeBytes, int ContextSize, int ActiveLeases, DateTimeOffset LoadedAt, DateTimeOffset? ExpiresAt, int ActiveSequences, int PendingRequests,
    long EstimatedBytes = 0, bool IsPinned = false, bool IsDraining = false);
