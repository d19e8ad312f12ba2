using System.Text.Json;
using OffGrid.AspNetCore.Chat;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>The body of <c>POST /api/chat</c>.</summary>
internal sealed class OllamaChatRequest
{
    public string? Model { get; set; }

    public List<Message>? Messages { get; set; }

    public List<ToolDefinition>? Tools { get; set; }

    /// <summary><c>"json"</c> or a JSON Schema object.</summary>
    public JsonElement? Format { get; set; }

    public OllamaOptions? Options { get; set; }

    /// <summary>Ollama streams unless told not to.</summary>
    public bool Stream { get; set; } = true;

    public JsonElement? KeepAlive { get; set; }

    /// <summary>Whether a reasoning model thinks first: <c>true</c>/<c>false</c>, or <c>"low"</c>, <c>"medium"</c>, <c>"high"</c>.</summary>
    public JsonElement? Think { get; set; }

    /// <summary>One message of the conversation.</summary>
    internal sealed class Message
    {
        public string? Role { get; set; }

        public string? Content { get; set; }

        public List<string>? Images { get; set; }

        public List<ToolCallPayload>? ToolCalls { get; set; }

        /// <summary>The tool a <c>tool</c> message answers.</summary>
        public string? ToolName { get; set; }
    }
}
