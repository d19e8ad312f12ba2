namespace OffGrid.AspNetCore.Pooling;

/// <summary>
/// The answer of <c>POST /v1/pool/unload</c> (snake_case through <c>ServerJson.Options</c>). It is also how the server reads the
/// model worker's answer (<see cref="ModelIsolation.Process"/>), so what the worker writes and what the server reads are one type.
/// </summary>
internal sealed class PoolUnload
{
    /// <summary>The served model's name; absent when the request named a file by <see cref="PoolRequest.Path"/>.</summary>
    public string? Model { get; init; }

    /// <summary>The full path of the file that was to be unloaded.</summary>
    public required string Path { get; init; }

    /// <summary>Whether it was unloaded now: false when it was not loaded or requests hold it.</summary>
    public bool Unloaded { get; init; }
}
