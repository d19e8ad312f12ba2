using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Templates.Jinja;

namespace OffGrid.Inference.Templates;

/// <summary>
/// Builds the variables Hugging Face chat templates read from a <see cref="ChatTemplateContext"/>: <c>messages</c>
/// in OpenAI's shape (assistant <c>tool_calls</c> with object arguments, one <c>tool</c> message per function result),
/// <c>tools</c>, <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c> and <c>enable_thinking</c>.
/// </summary>
internal static class ChatTemplateVariables
{
    /// <summary>Creates the template variables for <paramref name="context"/>.</summary>
    /// <param name="context">The conversation, tools and flags.</param>
    /// <param name="argumentsAsJsonText">
    /// Whether tool call arguments are JSON text, as on OpenAI's wire, instead of objects, which most templates expect.
    /// </param>
    public static Dictionary<string, object?> Create(ChatTemplateContext context, bool argumentsAsJsonText = false)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = ConvertMessages(context.Messages, argumentsAsJsonText),
            ["add_generation_prompt"] = context.AddGenerationPrompt,
            ["bos_token"] = context.BosToken ?? string.Empty,
            ["eos_token"] = context.EosToken ?? string.Empty,
        };

        var tools = ConvertTools(context.Tools);
        if (tools.Count > 0)
        {
            variables["tools"] = tools;
        }

        if (context.EnableThinking is bool thinking)
        {
            variables["enable_thinking"] = thinking;
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
        var functionNames = new Dictionary<string, string>(StringComparer.Ordinal);
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

            foreach (var call in calls)
            {
                functionNames[call.CallId] = call.Name;
            }

            foreach (var result in results)
            {
                converted.Add(new TemplateDict
                {
                    ["role"] = "tool",
                    ["tool_call_id"] = result.CallId,
                    ["name"] = functionNames.GetValueOrDefault(result.CallId, string.Empty),
                    ["content"] = ResultText(result),
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

    private static object ConvertArguments(FunctionCallContent call, bool asJsonText)
    {
        var arguments = call.Arguments is null ? new TemplateDict() : FromDictionary(call.Arguments);
        return asJsonText ? TemplateJson.Serialize(arguments) : arguments;
    }

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
}
