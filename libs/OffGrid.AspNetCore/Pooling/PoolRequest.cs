namespace OffGrid.AspNetCore.Pooling;

/// <summary>The body of <c>POST /v1/pool/pin</c>, <c>/unpin</c> and <c>/swap</c>.</summary>
internal sealed class PoolRequest
{
    /// <summary>The served model's name.</summary>
    public string? Model { get; set; }

    /// <summary>For <c>swap</c>: the model whose file serves <see cref="Model"/> from now on.</summary>
    public string? Replacement { get; set; }
}
