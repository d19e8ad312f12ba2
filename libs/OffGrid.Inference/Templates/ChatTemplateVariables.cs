using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Templates.Jinja;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Templates;

/// <summary>
/// Builds the variables chat templates read from a <see cref="ChatTemplateContext"/>, as llama-server passes them:
/// <c>messages</c> in OpenAI's shape (assistant <c>tool_calls</c> with object arguments, one <c>tool</c> message per
/// function result, with its <c>tool_call_id</c> and no <c>name</c>), <c>tools</c>, <c>add_generation_prompt</c>,
/// <c>bos_token</c>, <c>eos_token</c>, <c>enable_thinking</c>, <c>date_string</c> and <c>datetime</c>.
/// </summary>
internal static class ChatTemplateVariables
{
    /// <summary>Creates the template variables for <paramref name="context"/>.</summary>
    /// <param name="context">The conversation, tools and flags.</param>
    /// <param name="settings">What the template needs beyond the context.</param>
    public static Dictionary<string, object?> Create(ChatTemplateContext context, Settings settings)
    {
        List<object?> messages = ConvertMessages(context.Messages, settings.ArgumentsAsJsonText);
        if (settings.SystemIntoNextMessage)
        {
            MergeSystemIntoNextMessage(messages);
        }

        DateTimeOffset now = (context.TimeProvider ?? TimeProvider.System).GetLocalNow();
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = settings.ToolResponsesInAssistantTurn ? MoveToolResponsesIntoAssistantTurns(messages) : messages,
            ["add_generation_prompt"] = context.AddGenerationPrompt,
            ["bos_token"] = context.BosToken ?? string.Empty,
            ["eos_token"] = context.EosToken ?? string.Empty,
            ["enable_thinking"] = context.EnableThinking ?? settings.SupportsThinking,
            ["date_string"] = StrftimeFormatter.Format(now, "%d %b %Y"),
            ["datetime"] = StrftimeFormatter.Format(now, "%b %d %Y"),
        };

        var tools = ConvertTools(context.Tools);
        if (tools.Count > 0)
        {
            variables["tools"] = tools;
        }

        foreach (var pair in context.AdditionalVariables)
        {
            variables[pair.Key] = FromObject(pair.Value);
        }

        return variables;
    }

    /// <summary>Converts a .NET value (JSON element, dictionary, sequence, primitive or serializable object) into a template value.</summary>
    public static object? FromObject(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int or short or byte or sbyte or uint or ushort => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        float or decimal => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
        JsonElement element => TemplateJson.FromElement(element),
        IDictionary<string, object?> dictionary => FromDictionary(dictionary),
        IEnumerable sequence => sequence.Cast<object?>().Select(FromObject).ToList(),
        _ => TemplateJson.FromElement(JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()))),
    };

    private static TemplateDict FromDictionary(IDictionary<string, object?> dictionary)
    {
        var dict = new TemplateDict(dictionary.Count);
        foreach (var pair in dictionary)
        {
            dict[pair.Key] = FromObject(pair.Value);
        }

        return dict;
    }

    /// <summary>Whether any message of <paramref name="context"/> carries a tool call.</summary>
    public static bool HasToolCalls(ChatTemplateContext context) =>
        context.Messages.Any(message => message.Contents.OfType<FunctionCallContent>().Any());

    private static List<object?> ConvertMessages(IList<ChatMessage> messages, bool argumentsAsJsonText)
    {
        var converted = new List<object?>(messages.Count);
        foreach (var message in messages)
        {
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            string text = string.Concat(message.Contents.OfType<TextContent>().Select(content => content.Text));
            string reasoning = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(content => content.Text));

            // A message that only carries function results becomes tool messages alone; anything else keeps its own turn.
            if (results.Count == 0 || text.Length > 0 || calls.Count > 0)
            {
                converted.Add(ConvertMessage(message.Role.Value, text, reasoning, calls, argumentsAsJsonText));
            }

            foreach (var result in results)
            {
                converted.Add(new TemplateDict
                {
                    ["role"] = "tool",
                    ["content"] = ResultText(result),
                    ["tool_call_id"] = result.CallId,
                });
            }
        }

        return converted;
    }

    private static TemplateDict ConvertMessage(string role, string text, string reasoning, List<FunctionCallContent> calls, bool argumentsAsJsonText)
    {
        // Content is "" rather than None for tool-call-only turns, as llama.cpp passes it: many templates concatenate it.
        var message = new TemplateDict { ["role"] = role, ["content"] = text };
        if (reasoning.Length > 0)
        {
            message["reasoning_content"] = reasoning;
        }

        if (calls.Count > 0)
        {
            message["tool_calls"] = calls.Select(call => (object?)new TemplateDict
            {
                ["id"] = call.CallId,
                ["type"] = "function",
                ["function"] = new TemplateDict
                {
                    ["name"] = call.Name,
                    ["arguments"] = ConvertArguments(call, argumentsAsJsonText),
                },
            }).ToList();
        }

        return message;
    }

    // As text, the arguments are what the client sent (RawRepresentation holds the JSON text when a call came in over
    // an OpenAI-style API), else compact JSON as llama.cpp writes a parsed object back.
    private static object ConvertArguments(FunctionCallContent call, bool asJsonText)
    {
        if (asJsonText && call.RawRepresentation is string original)
        {
            return original;
        }

        var arguments = call.Arguments is null ? new TemplateDict() : FromDictionary(call.Arguments);
        return asJsonText ? TemplateJson.Serialize(arguments, separators: (",", ":")) : arguments;
    }

    // Older Gemma 4 templates read tool results from the assistant turn that called the tools, as llama.cpp rewrites
    // them: assistant(tool_calls) + tool results [+ assistant(text)] become one assistant message with tool_responses.
    private static List<object?> MoveToolResponsesIntoAssistantTurns(List<object?> messages)
    {
        var result = new List<object?>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not TemplateDict { } call || !IsRole(call, "assistant") || call.GetValueOrDefault("tool_calls") is not List<object?> { Count: > 0 } calls)
            {
                result.Add(messages[i]);
                continue;
            }

            var responses = new List<object?>();
            while (i + 1 < messages.Count && messages[i + 1] is TemplateDict tool && IsRole(tool, "tool"))
            {
                string name = responses.Count < calls.Count && calls[responses.Count] is TemplateDict { } c && c.GetValueOrDefault("function") is TemplateDict f && f.GetValueOrDefault("name") is string n
                    ? n
                    : tool.GetValueOrDefault("tool_call_id") as string ?? string.Empty;
                object? content = tool.GetValueOrDefault("content");
                object? response = content is string text && FunctionCallReader.TryParse(text, out JsonElement parsed) ? TemplateJson.FromElement(parsed) : content;
                responses.Add(new TemplateDict { ["name"] = name, ["response"] = response });
                i++;
            }

            var merged = new TemplateDict { ["role"] = "assistant", ["tool_calls"] = calls };
            if (responses.Count > 0)
            {
                merged["tool_responses"] = responses;
            }

            if (i + 1 < messages.Count && messages[i + 1] is TemplateDict answer && IsRole(answer, "assistant")
                && answer.GetValueOrDefault("tool_calls") is not List<object?> { Count: > 0 } && answer.GetValueOrDefault("content") is string { Length: > 0 } answerText)
            {
                merged["content"] = answerText;
                i++;
            }

            if (call.GetValueOrDefault("reasoning_content") is string reasoning)
            {
                merged["reasoning_content"] = reasoning;
            }

            result.Add(merged);
        }

        return result;
    }

    // A template without a system role gets the system text at the start of the next message, as llama.cpp does it.
    private static void MergeSystemIntoNextMessage(List<object?> messages)
    {
        if (messages is [TemplateDict system, TemplateDict next, ..] && IsRole(system, "system"))
        {
            next["content"] = $"{system.GetValueOrDefault("content")}\n{next.GetValueOrDefault("content")}";
            messages.RemoveAt(0);
        }
    }

    private static bool IsRole(TemplateDict message, string role) => message.GetValueOrDefault("role") as string == role;


    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null when result.Exception is not null => "Error: " + result.Exception.Message,
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        TextContent content => content.Text,
        var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions.GetTypeInfo(other.GetType())),
    };

    private static List<object?> ConvertTools(IList<AITool>? tools) =>
        tools is null
            ? []
            : tools.OfType<AIFunctionDeclaration>().Select(tool => (object?)new TemplateDict
            {
                ["type"] = "function",
                ["function"] = new TemplateDict
                {
                    ["name"] = tool.Name,
                    ["description"] = tool.Description,
                    ["parameters"] = TemplateJson.FromElement(tool.JsonSchema),
                },
            }).ToList();

    /// <summary>What the template needs beyond the context.</summary>
    /// <param name="ArgumentsAsJsonText">
    /// Whether tool call arguments are JSON text, as on OpenAI's wire, instead of objects, which most templates expect.
    /// </param>
    /// <param name="SupportsThinking">The <c>enable_thinking</c> default when the context leaves it open.</param>
    /// <param name="ToolResponsesInAssistantTurn">Whether tool results go into the calling assistant turn (older Gemma 4 templates).</param>
    /// <param name="SystemIntoNextMessage">Whether a leading system message is merged into the next one (templates without a system role).</param>
    internal sealed record Settings(bool ArgumentsAsJsonText, bool SupportsThinking, bool ToolResponsesInAssistantTurn, bool SystemIntoNextMessage);
}
