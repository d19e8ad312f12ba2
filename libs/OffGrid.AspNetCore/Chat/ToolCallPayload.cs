using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.Inference;

namespace OffGrid.AspNetCore.Chat;

/// <summary>
/// A tool call inside an assistant message of the conversation: OpenAI sends arguments as a JSON string with an id,
/// Ollama as a JSON object without one.
/// </summary>
internal sealed class ToolCallPayload
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public CalledFunction? Function { get; set; }

    /// <summary>Converts the calls of a message for the conversation history.</summary>
    /// <exception cref="ApiException">400 when a call is null, has no name, or its arguments are not a JSON object.</exception>
    public static IEnumerable<FunctionCallContent> ToContents(IEnumerable<ToolCallPayload?> calls, string param) =>
        calls.Select((call, i) => (call ?? throw ApiException.BadRequest("A tool call cannot be null.", $"{param}[{i}]")).ToContent($"{param}[{i}]"));

    /// <summary>Converts the call for the conversation history.</summary>
    /// <exception cref="ApiException">400 when the name is missing or the arguments are not a JSON object.</exception>
    public FunctionCallContent ToContent(string param)
    {
        string name = Function?.Name is { Length: > 0 } n ? n : throw ApiException.BadRequest("A tool call needs a function name.", param + ".function.name");
        JsonElement arguments = Function.Arguments ?? default;
        string? original = arguments.ValueKind == JsonValueKind.String ? arguments.GetString() : null;
        if (arguments.ValueKind == JsonValueKind.String)
        {
            if (JsonUnicode.IndexOfLoneSurrogateEscape(original!) >= 0)
            {
                throw ApiException.BadRequest("A tool call's arguments hold a lone UTF-16 surrogate escape (such as \\ud800), which is not Unicode text.", param + ".function.arguments");
            }

            try
            {
                arguments = JsonDocument.Parse(arguments.GetString()!).RootElement;
            }
            catch (JsonException)
            {
                throw ApiException.BadRequest("A tool call's arguments must be a JSON object (or a string holding one).", param + ".function.arguments");
            }
        }

        Dictionary<string, object?>? values = arguments.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.Object => arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()),
            _ => throw ApiException.BadRequest("A tool call's arguments must be a JSON object.", param + ".function.arguments"),
        };
        // The arguments text as the client wrote it goes to the chat template where llama.cpp would pass the text.
        return new FunctionCallContent(Id ?? "call_" + Guid.NewGuid().ToString("N")[..24], name, values) { RawRepresentation = original };
    }

    /// <summary>The function part of a tool call.</summary>
    internal sealed class CalledFunction
    {
        public string? Name { get; set; }

        public JsonElement? Arguments { get; set; }
    }
}
