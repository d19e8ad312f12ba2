using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Pooling;

/// <summary>
/// The body of <c>GET /v1/pool</c> (snake_case through <c>ServerJson.Options</c>). It is also how the server reads the model
/// worker's pool (<see cref="ModelIsolation.Process"/>), so what the worker writes and what the server reads are one type.
/// </summary>
internal sealed class PoolListing
{
    /// <summary>Always <c>pool</c>.</summary>
    public string Object { get; init; } = "pool";

    /// <summary>The pool's <see cref="LlamaModelPoolOptions.MaxLoadedModels"/>.</summary>
    public int MaxLoadedModels { get; init; }

    /// <summary>The pool's <see cref="LlamaModelPoolOptions.MemoryBudgetBytes"/>, or <see langword="null"/> for none.</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The loaded models, in the pool's order.</summary>
    public IReadOnlyList<PoolEntry> Data { get; init; } = [];
}
