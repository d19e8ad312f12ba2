namespace OffGrid.AspNetCore.Pooling;

/// <summary>The body of <c>POST /v1/pool/pin</c>, <c>/unpin</c>, <c>/swap</c> and <c>/unload</c>.</summary>
internal sealed class PoolRequest
{
    /// <summary>The served model's name.</summary>
    public string? Model { get; set; }

    /// <summary>For <c>swap</c>: the model whose file serves <see cref="Model"/> from now on.</summary>
    public string? Replacement { get; set; }

    /// <summary>
    /// For <c>unload</c>, instead of <see cref="Model"/>: a file's full path, unloaded as it is — after a hot-swap, the file a name
    /// was swapped away from is not the one that serves the name, so this never unloads the replacement (as deleting a store model does).
    /// </summary>
    public string? Path { get; set; }
}
