using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Templates;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// The conversation every corpus template renders: a system message, two user/assistant exchanges, an assistant
/// tool call and its result, one tool declared, and a generation prompt requested — the shape an M.E.AI chat client
/// sends in a tool-calling loop.
/// </summary>
internal static class CorpusConversation
{
    /// <summary>A tool call id of nine alphanumerics, the form Mistral templates insist on.</summary>
    public const string CallId = "call12345";

    /// <summary>Creates the context for the template called <paramref name="templateName"/>.</summary>
    public static ChatTemplateContext Create(string templateName)
    {
        var schema = JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "location": { "type": "string", "description": "City name" },
                "unit": { "type": "string", "description": "Temperature unit", "enum": ["celsius", "fahrenheit"] }
              },
              "required": ["location"]
            }
            """).RootElement.Clone();
        var weather = AIFunctionFactory.CreateDeclaration("get_weather", "Gets the current weather for a city.", schema);
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are a helpful assistant."),
            new(ChatRole.User, "Hello!"),
            new(ChatRole.Assistant, "Hi! How can I help you today?"),
            new(ChatRole.User, "What is the weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent(CallId, "get_weather", new Dictionary<string, object?> { ["location"] = "Paris", ["unit"] = "celsius" })]),
            new(ChatRole.Tool, [new FunctionResultContent(CallId, """{"temperature": 22, "condition": "sunny"}""")]),
        ];
        var context = new ChatTemplateContext(messages)
        {
            Tools = [weather],
            AddGenerationPrompt = true,
            BosToken = "<s>",
            EosToken = "</s>",
        };
        if (templateName.Contains("firefunction", StringComparison.Ordinal))
        {
            // Firefunction's template reads the tool list as text and a timestamp; llama.cpp passes both the same way.
            context.AdditionalVariables["functions"] = JsonSerializer.Serialize(new[] { weather.JsonSchema });
            context.AdditionalVariables["datetime"] = "Jan 01 2025 00:00:00 GMT";
        }

        return context;
    }
}
