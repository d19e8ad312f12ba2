namespace OffGrid.AspNetCore.Ollama;

/// <summary>The body of <c>/api/show</c>, <c>/api/delete</c> and <c>/api/pull</c>: a model name (<c>name</c> in older clients).</summary>
internal sealed class OllamaModelRequest
{
    public string? Model { get; set; }

    public string? Name { get; set; }

    /// <summary>Whether <c>/api/pull</c> streams its progress (default) or answers once at the end.</summary>
    public bool Stream { get; set; } = true;

    /// <summary>The model named by either field.</summary>
    public string? ModelName => Model ?? Name;
}
