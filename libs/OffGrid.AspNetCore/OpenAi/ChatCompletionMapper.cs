using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>Turns OpenAI request bodies into Microsoft.Extensions.AI messages and options.</summary>
internal static class ChatCompletionMapper
{
    /// <summary>Validates a chat request and converts its conversation and settings.</summary>
    /// <exception cref="ApiException">400 naming the first invalid field.</exception>
    public static (List<ChatMessage> Messages, ChatOptions Options) ToConversation(ChatCompletionRequest request)
    {
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw ApiException.BadRequest("'messages' must contain at least one message.", "messages");
        }

        if (request.Logprobs == true)
        {
            throw ApiException.BadRequest("'logprobs' is not supported.", "logprobs");
        }

        List<ChatMessage> conversation = [.. messages.Select((m, i) => ToMessage(m, $"messages[{i}]"))];
        ChatOptions options = request.ToSampling(request.MaxCompletionTokens ?? request.MaxTokens)
            .ToChatOptions(request.MaxCompletionTokens is null ? SamplingFieldNames.OpenAi : SamplingFieldNames.OpenAi with { MaxOutputTokens = "max_completion_tokens" });

        options.Tools = ToolDefinition.ToDeclarations(request.Tools);
        options.ToolMode = ReadToolChoice(request.ToolChoice, options.Tools);
        options.AllowMultipleToolCalls = request.ParallelToolCalls;
        options.ResponseFormat = ReadResponseFormat(request.ResponseFormat);
        return (conversation, options);
    }

    private static ChatMessage ToMessage(ChatCompletionRequest.Message message, string param)
    {
        if (message is null)
        {
            throw ApiException.BadRequest("A message cannot be null.", param);
        }

        ChatRole role = message.Role switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            null => throw ApiException.BadRequest("Each message needs a 'role'.", param + ".role"),
            _ => throw ApiException.BadRequest($"Unknown role '{message.Role}': use system, developer, user, assistant or tool.", param + ".role"),
        };

        string? text = ReadText(message.Content, param + ".content");
        var contents = new List<AIContent>();
        if (role == ChatRole.Tool)
        {
            string callId = message.ToolCallId is { Length: > 0 } id ? id : throw ApiException.BadRequest("A tool message needs 'tool_call_id'.", param + ".tool_call_id");
            contents.Add(new FunctionResultContent(callId, text ?? string.Empty));
        }
        else
        {
            if (text is null && (role != ChatRole.Assistant || message.ToolCalls is not { Count: > 0 }))
            {
                throw ApiException.BadRequest("A message needs 'content'.", param + ".content");
            }

            if (!string.IsNullOrEmpty(text))
            {
                contents.Add(new TextContent(text));
            }

            if (message.ToolCalls is { Count: > 0 } calls)
            {
                if (role != ChatRole.Assistant)
                {
                    throw ApiException.BadRequest("Only assistant messages carry 'tool_calls'.", param + ".tool_calls");
                }

                contents.AddRange(ToolCallPayload.ToContents(calls, $"{param}.tool_calls"));
            }
        }

        return new ChatMessage(role, contents) { AuthorName = message.Name };
    }

    /// <summary>Reads message content: a string, or an array of text parts (other part types are refused).</summary>
    private static string? ReadText(JsonElement? content, string param)
    {
        switch (content)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } text:
                return text.GetString();
            case { ValueKind: JsonValueKind.Array } parts:
                var sb = new StringBuilder();
                int index = 0;
                foreach (JsonElement part in parts.EnumerateArray())
                {
                    string partParam = $"{param}[{index++}]";
                    string? type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type != "text")
                    {
                        throw ApiException.BadRequest(type is null
                            ? "Each content part must be an object with a 'type'."
                            : $"Content parts of type '{type}' are not supported; send text.", partParam);
                    }

                    if (!part.TryGetProperty("text", out JsonElement partText) || partText.ValueKind != JsonValueKind.String)
                    {
                        throw ApiException.BadRequest("A text part needs a 'text' string.", partParam + ".text");
                    }

                    sb.Append(partText.GetString());
                }

                return sb.ToString();
            default:
                throw ApiException.BadRequest("'content' must be a string or an array of content parts.", param);
        }
    }

    private static ChatToolMode? ReadToolChoice(JsonElement? choice, IList<AITool>? tools)
    {
        ChatToolMode? mode = choice switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s when s.GetString() == "none" => ChatToolMode.None,
            { ValueKind: JsonValueKind.String } s when s.GetString() == "auto" => ChatToolMode.Auto,
            { ValueKind: JsonValueKind.String } s when s.GetString() == "required" => ChatToolMode.RequireAny,
            { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("function", out JsonElement f) && f.ValueKind == JsonValueKind.Object
                && f.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String => ChatToolMode.RequireSpecific(n.GetString()!),
            _ => throw ApiException.BadRequest("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice"),
        };

        if (mode is RequiredChatToolMode && tools is null)
        {
            throw ApiException.BadRequest("'tool_choice' requires tools, but 'tools' is empty.", "tool_choice");
        }

        if (mode is RequiredChatToolMode { RequiredFunctionName: { } name } && tools?.Any(t => t.Name == name) != true)
        {
            throw ApiException.BadRequest($"'tool_choice' names '{name}', which is not among the tools.", "tool_choice");
        }

        return mode;
    }

    private static ChatResponseFormat? ReadResponseFormat(ChatCompletionRequest.ResponseFormatSettings? format) => format?.Type switch
    {
        null when format is null => null,
        "text" => ChatResponseFormat.Text,
        "json_object" => ChatResponseFormat.Json,
        "json_schema" when format.JsonSchema?.Schema is { ValueKind: JsonValueKind.Object } schema
            => ChatResponseFormat.ForJsonSchema(schema, format.JsonSchema.Name, format.JsonSchema.Description),
        "json_schema" => throw ApiException.BadRequest("'response_format.json_schema.schema' must be a JSON Schema object.", "response_format.json_schema.schema"),
        _ => throw ApiException.BadRequest("'response_format.type' must be text, json_object or json_schema.", "response_format.type"),
    };
}
