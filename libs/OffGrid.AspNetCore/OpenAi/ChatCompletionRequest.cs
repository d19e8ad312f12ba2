using System.Text.Json;
using OffGrid.AspNetCore.Chat;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>The body of <c>POST /v1/chat/completions</c>.</summary>
internal sealed class ChatCompletionRequest : OpenAiGenerationRequest
{
    public List<Message>? Messages { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public bool? Logprobs { get; set; }

    public List<ToolDefinition>? Tools { get; set; }

    /// <summary><c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or <c>{"type":"function","function":{"name":...}}</c>.</summary>
    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public ResponseFormatSettings? ResponseFormat { get; set; }

    public string? User { get; set; }

    /// <summary>One message of the conversation.</summary>
    internal sealed class Message
    {
        public string? Role { get; set; }

        /// <summary>A string, an array of content parts, or null (an assistant message with tool calls).</summary>
        public JsonElement? Content { get; set; }

        public string? Name { get; set; }

        public List<ToolCallPayload>? ToolCalls { get; set; }

        public string? ToolCallId { get; set; }
    }

    /// <summary><c>response_format</c>: <c>text</c>, <c>json_object</c> or <c>json_schema</c>.</summary>
    internal sealed class ResponseFormatSettings
    {
        public string? Type { get; set; }

        public JsonSchemaSettings? JsonSchema { get; set; }
    }

    /// <summary><c>response_format.json_schema</c>.</summary>
    internal sealed class JsonSchemaSettings
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public JsonElement? Schema { get; set; }

        public bool? Strict { get; set; }
    }
}
