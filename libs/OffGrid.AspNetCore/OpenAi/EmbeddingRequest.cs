using System.Text.Json;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>The body of <c>POST /v1/embeddings</c>.</summary>
internal sealed class EmbeddingRequest
{
    public string? Model { get; set; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Input { get; set; }

    /// <summary><c>float</c> (default) or <c>base64</c> (little-endian float32).</summary>
    public string? EncodingFormat { get; set; }

    /// <summary>Must equal the model's dimension when given: OffGrid does not truncate embeddings.</summary>
    public int? Dimensions { get; set; }

    public string? User { get; set; }
}
