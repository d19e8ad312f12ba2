using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Http;

/// <summary>The JSON settings of every API: snake_case names as OpenAI and Ollama use, and strict types.</summary>
internal static class ServerJson
{
    /// <summary>Options for request bodies and responses.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,

        // "max_tokens": "12" is a client bug worth reporting, not something to guess at.
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,

        // Responses are JSON for API clients, never embedded in HTML: generated text keeps its quotes and
        // non-ASCII characters as they are instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Optional response fields are left out rather than sent as null, as OpenAI and Ollama do.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
