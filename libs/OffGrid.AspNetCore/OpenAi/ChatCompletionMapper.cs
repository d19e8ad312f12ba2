using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>Turns OpenAI request bodies into Microsoft.Extensions.AI messages and options.</summary>
internal static class ChatCompletionMapper
{
    /// <summary>Validates a chat request and converts its conversation and settings.</summary>
    /// <param name="request">The request.</param>
    /// <param name="serverTools">The server's tools the request names in <c>server_tools</c>, offered beside the client's.</param>
    /// <exception cref="ApiException">400 naming the first invalid field.</exception>
    public static (List<ChatMessage> Messages, ChatOptions Options) ToConversation(ChatCompletionRequest request, IReadOnlyList<AITool> serverTools)
    {
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw ApiException.BadRequest("'messages' must contain at least one message.", "messages");
        }

        RefuseUnsupported(request);
        List<ChatMessage> conversation = [.. messages.Select((m, i) => ToMessage(m, $"messages[{i}]"))];
        ApplyApprovals(messages, conversation);
        ChatOptions options = request.ToSampling(request.MaxCompletionTokens ?? request.MaxTokens)
            .ToChatOptions(request.MaxCompletionTokens is null ? SamplingFieldNames.OpenAi : SamplingFieldNames.OpenAi with { MaxOutputTokens = "max_completion_tokens" });

        options.Tools = ToolDefinition.ToDeclarations(request.Tools);
        if (serverTools.Count > 0)
        {
            if (options.Tools?.FirstOrDefault(t => serverTools.Any(s => s.Name == t.Name)) is { } clash)
            {
                throw ApiException.BadRequest($"'{clash.Name}' is both among 'tools' and a tool of 'server_tools'; rename the client's function.", "tools");
            }

            options.Tools = [.. options.Tools ?? [], .. serverTools];
        }

        options.ToolMode = ReadToolChoice(request.ToolChoice, options.Tools);
        options.AllowMultipleToolCalls = request.ParallelToolCalls;
        options.ResponseFormat = ReadResponseFormat(request.ResponseFormat);
        options.Reasoning = ReadReasoningEffort(request.ReasoningEffort);
        if (ReadEnableThinking(request.ChatTemplateKwargs) is { } thinking)
        {
            (options.AdditionalProperties ??= [])[LlamaChatOptions.EnableThinkingKey] = thinking;
        }

        Knowledge.KnowledgeChat.Apply(request.Knowledge, options, "knowledge");
        return (conversation, options);
    }

    // Every parameter of the OpenAI reference is honoured or refused: these ask for what a local model cannot do.
    // Informational ones (user, metadata, safety_identifier, prompt_cache_key, stream_options.include_obfuscation) are
    // accepted; prompt caching is automatic.
    private static void RefuseUnsupported(ChatCompletionRequest request)
    {
        static void Refuse(bool asked, string param, string message)
        {
            if (asked)
            {
                throw ApiException.BadRequest(message, param);
            }
        }

        Refuse(request.Logprobs == true, "logprobs", "'logprobs' is not supported.");
        Refuse(request.TopLogprobs is not null, "top_logprobs", "'top_logprobs' is not supported (it needs 'logprobs').");
        Refuse(IsSet(request.LogitBias) && request.LogitBias!.Value.ValueKind == JsonValueKind.Object && request.LogitBias.Value.EnumerateObject().Any(), "logit_bias", "'logit_bias' is not supported: OpenAI token ids mean nothing to a local model's tokenizer.");
        Refuse(IsSet(request.Audio) || request.Modalities?.Any(m => m != "text") == true, IsSet(request.Audio) ? "audio" : "modalities", "Audio output is not supported; 'modalities' may only be [\"text\"].");
        Refuse(IsSet(request.Prediction), "prediction", "'prediction' (predicted outputs) is not supported.");
        Refuse(IsSet(request.WebSearchOptions), "web_search_options", "Web search is not available on an offline server.");
        Refuse(IsSet(request.Functions) || IsSet(request.FunctionCall), IsSet(request.Functions) ? "functions" : "function_call", "'functions' and 'function_call' are deprecated; send 'tools' and 'tool_choice'.");
        Refuse(request.Verbosity is not (null or "medium"), "verbosity", "'verbosity' is not supported; leave it out or send \"medium\".");
        Refuse(request.Store == true, "store", "'store' is not supported: OffGrid keeps no completions.");
        Refuse(request.ServiceTier is not (null or "auto" or "default"), "service_tier", "'service_tier' may only be \"auto\" or \"default\".");
    }

    private static bool IsSet(JsonElement? value) => value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    private static ReasoningOptions? ReadReasoningEffort(string? effort) => effort switch
    {
        null => null,
        "none" => new ReasoningOptions { Effort = ReasoningEffort.None },
        "minimal" or "low" => new ReasoningOptions { Effort = ReasoningEffort.Low },
        "medium" => new ReasoningOptions { Effort = ReasoningEffort.Medium },
        "high" => new ReasoningOptions { Effort = ReasoningEffort.High },
        _ => throw ApiException.BadRequest("'reasoning_effort' must be none, minimal, low, medium or high.", "reasoning_effort"),
    };

    private static bool? ReadEnableThinking(Dictionary<string, JsonElement>? kwargs)
    {
        if (kwargs is null)
        {
            return null;
        }

        foreach ((string key, JsonElement value) in kwargs)
        {
            if (key != LlamaChatOptions.EnableThinkingKey)
            {
                throw ApiException.BadRequest($"'chat_template_kwargs.{key}' is not supported; only 'enable_thinking' is.", "chat_template_kwargs." + key);
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw ApiException.BadRequest("'chat_template_kwargs.enable_thinking' must be true or false.", "chat_template_kwargs.enable_thinking");
            }
        }

        return kwargs.TryGetValue(LlamaChatOptions.EnableThinkingKey, out JsonElement thinking) ? thinking.ValueKind == JsonValueKind.True : null;
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

        if (IsSet(message.Audio) || IsSet(message.FunctionCall))
        {
            throw ApiException.BadRequest(
                IsSet(message.Audio) ? "Audio in messages is not supported." : "'function_call' is deprecated; send 'tool_calls'.",
                param + (IsSet(message.Audio) ? ".audio" : ".function_call"));
        }

        string? text = ReadText(message.Content, param + ".content");
        var contents = new List<AIContent>();
        if (role == ChatRole.Tool && message.Approved is not null)
        {
            // Completed by ApplyApprovals, which knows the call being approved.
            return new ChatMessage(ChatRole.User, []);
        }

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

    /// <summary>
    /// Turns tool messages carrying <c>approved</c> into Microsoft.Extensions.AI's approval responses, and the calls they
    /// answer into approval requests, so that function invocation runs (or refuses) the approved server tool calls.
    /// </summary>
    private static void ApplyApprovals(List<ChatCompletionRequest.Message> messages, List<ChatMessage> conversation)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Approved is not { } approved || messages[i].Role != "tool")
            {
                continue;
            }

            string param = $"messages[{i}]";
            string callId = messages[i].ToolCallId is { Length: > 0 } id ? id : throw ApiException.BadRequest("An approval needs 'tool_call_id'.", param + ".tool_call_id");
            (ChatMessage? assistant, FunctionCallContent? call) = conversation.Take(i)
                .SelectMany(m => m.Contents.OfType<FunctionCallContent>().Select(c => (Message: (ChatMessage?)m, Call: (FunctionCallContent?)c)))
                .LastOrDefault(p => p.Call!.CallId == callId);
            if (call is null)
            {
                throw ApiException.BadRequest($"The approval answers '{callId}', which is not a tool call of an earlier assistant message.", param + ".tool_call_id");
            }

            string requestId = ApprovalId(callId);
            assistant!.Contents[assistant.Contents.IndexOf(call)] = new ToolApprovalRequestContent(requestId, call);
            string? reason = ReadText(messages[i].Content, param + ".content");
            conversation[i].Contents.Add(new ToolApprovalResponseContent(requestId, approved, call) { Reason = string.IsNullOrEmpty(reason) ? null : reason });
        }
    }

    /// <summary>The approval request id of a server tool call, as the response's <c>approval_requests</c> report it.</summary>
    public static string ApprovalId(string callId) => "approval_" + callId;

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
