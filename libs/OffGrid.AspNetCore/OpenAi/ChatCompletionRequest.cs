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

    /// <summary>
    /// OffGrid's extension: names of the server's tools the model may use (MCP servers, plugins, custom tools, as
    /// <c>GET /v1/tools</c> lists them). The server runs their calls itself.
    /// </summary>
    public List<string>? ServerTools { get; set; }
    /// <summary>OffGrid's extension: answer from knowledge collections, <c>{"collections":["docs"],"top_k":5}</c>.</summary>
    public OffGrid.AspNetCore.Knowledge.KnowledgeField? Knowledge { get; set; }

    /// <summary><c>none</c>, <c>minimal</c>, <c>low</c>, <c>medium</c> or <c>high</c>; <c>none</c> turns a reasoning model's thinking off.</summary>
    public string? ReasoningEffort { get; set; }

    /// <summary>llama-server's extra <c>chat_template_kwargs</c>: OffGrid understands <c>enable_thinking</c>.</summary>
    public Dictionary<string, JsonElement>? ChatTemplateKwargs { get; set; }

    // Parameters of the OpenAI reference that a local model cannot honour: refused when they ask for something.
    public JsonElement? LogitBias { get; set; }

    public int? TopLogprobs { get; set; }

    public JsonElement? Audio { get; set; }

    public List<string>? Modalities { get; set; }

    public JsonElement? Prediction { get; set; }

    public JsonElement? WebSearchOptions { get; set; }

    public JsonElement? Functions { get; set; }

    public JsonElement? FunctionCall { get; set; }

    public string? Verbosity { get; set; }

    public bool? Store { get; set; }

    public string? ServiceTier { get; set; }

    /// <summary>One message of the conversation.</summary>
    internal sealed class Message
    {
        public string? Role { get; set; }

        /// <summary>A string, an array of content parts, or null (an assistant message with tool calls).</summary>
        public JsonElement? Content { get; set; }

        public string? Name { get; set; }

        public List<ToolCallPayload>? ToolCalls { get; set; }

        public string? ToolCallId { get; set; }

        /// <summary>
        /// OffGrid's extension on a tool message: the answer to the approval request of the server tool call
        /// <see cref="ToolCallId"/> (its <c>content</c>, if any, is the reason).
        /// </summary>
        public bool? Approved { get; set; }
        public JsonElement? Audio { get; set; }

        public JsonElement? FunctionCall { get; set; }
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
