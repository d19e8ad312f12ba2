using System.Text.Json;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>The body of <c>POST /api/embed</c> (<c>input</c>) and of the legacy <c>POST /api/embeddings</c> (<c>prompt</c>).</summary>
/// <remarks><c>truncate</c> is ignored: OffGrid never truncates, an input longer than the context is refused with 400.</remarks>
internal sealed class OllamaEmbedRequest
{
    public string? Model { get; set; }

    /// <summary>A string or an array of strings (<c>/api/embed</c>).</summary>
    public JsonElement? Input { get; set; }

    /// <summary>One string (<c>/api/embeddings</c>).</summary>
    public JsonElement? Prompt { get; set; }

    public int? Dimensions { get; set; }

    public JsonElement? KeepAlive { get; set; }
}
