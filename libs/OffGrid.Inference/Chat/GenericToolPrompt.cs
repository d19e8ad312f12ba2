using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Chat;

/// <summary>
/// Teaches tools to a model whose chat template has no tool support, using the generic
/// <c>{"tool_calls": [...]}</c> shape that the generic tool-call grammar and parser expect, and turns tool calls and
/// tool results in the history into plain messages such templates can render.
/// </summary>
internal static class GenericToolPrompt
{
    /// <summary>Returns the conversation with a tool system message added and tool traffic rewritten as text.</summary>
    public static List<ChatMessage> Apply(IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var result = new List<ChatMessage>(messages.Count + 1);
        string instructions = Describe(tools);
        if (messages.Count > 0 && messages[0].Role == ChatRole.System)
        {
            result.Add(new ChatMessage(ChatRole.System, messages[0].Text + "\n\n" + instructions));
            messages = messages.Skip(1).ToList();
        }
        else
        {
            result.Add(new ChatMessage(ChatRole.System, instructions));
        }

        result.AddRange(LowerToolTraffic(messages));
        return result;
    }

    /// <summary>Rewrites function calls and results as text messages (for templates that only know role and content).</summary>
    public static IEnumerable<ChatMessage> LowerToolTraffic(IEnumerable<ChatMessage> messages)
    {
        foreach (ChatMessage message in messages)
        {
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (calls.Count == 0 && results.Count == 0)
            {
                yield return message;
                continue;
            }

            if (calls.Count > 0)
            {
                string json = JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["tool_calls"] = calls.Select(c => new Dictionary<string, object?> { ["name"] = c.Name, ["arguments"] = c.Arguments }).ToList(),
                });
                yield return new ChatMessage(ChatRole.Assistant, (message.Text + "\n" + json).Trim());
            }

            foreach (FunctionResultContent result in results)
            {
                string value = result.Result switch
                {
                    null => "null",
                    string s => s,
                    JsonElement e => e.GetRawText(),
                    var other => JsonSerializer.Serialize(other),
                };
                yield return new ChatMessage(ChatRole.User, $"Tool result for call {result.CallId}:\n{value}");
            }
        }
    }

    private static string Describe(IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var sb = new StringBuilder("You can call these tools:\n");
        foreach (AIFunctionDeclaration tool in tools)
        {
            sb.Append("- ").Append(tool.Name);
            if (!string.IsNullOrWhiteSpace(tool.Description))
            {
                sb.Append(": ").Append(tool.Description);
            }

            sb.Append("\n  parameters: ").Append(tool.JsonSchema.GetRawText()).Append('\n');
        }

        return sb.Append("To call tools, answer with only this JSON: {\"tool_calls\": [{\"name\": \"<tool name>\", \"arguments\": {<arguments>}}]}. ")
            .Append("Otherwise answer normally.").ToString();
    }
}
