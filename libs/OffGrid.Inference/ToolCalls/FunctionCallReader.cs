using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>Turns the JSON pieces of a tool call (name, arguments, optional id) into a <see cref="FunctionCallContent"/>.</summary>
internal static class FunctionCallReader
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>
    /// Reads a call object such as <c>{"name":…,"arguments":{…}}</c>; <c>parameters</c> is accepted for <c>arguments</c>,
    /// and OpenAI's <c>{"function":{…}}</c> wrapping is unwrapped.
    /// </summary>
    public static bool TryReadCallObject(JsonElement call, out FunctionCallContent? content, Func<string>? newCallId = null)
    {
        content = null;
        if (call.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string? id = call.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (call.TryGetProperty("function", out JsonElement function) && function.ValueKind == JsonValueKind.Object)
        {
            call = function;
        }

        if (!call.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
        {
            return false;
        }

        JsonElement? arguments = call.TryGetProperty("arguments", out JsonElement a) ? a
            : call.TryGetProperty("parameters", out JsonElement p) ? p
            : null;
        return TryCreate(name.GetString()!, arguments, id, out content, newCallId);
    }

    /// <summary>Reads every call object of a list; false (adding nothing) if the list is empty or any item is not a call.</summary>
    public static bool TryReadCallObjects(IEnumerable<JsonElement> items, List<FunctionCallContent> calls, Func<string>? newCallId = null)
    {
        var found = new List<FunctionCallContent>();
        foreach (JsonElement item in items)
        {
            if (!TryReadCallObject(item, out FunctionCallContent? call, newCallId))
            {
                return false;
            }

            found.Add(call!);
        }

        calls.AddRange(found);
        return found.Count > 0;
    }

    /// <summary>Creates the call from a name and its arguments (an object, a string holding an object, or nothing).</summary>
    public static bool TryCreate(string name, JsonElement? arguments, string? callId, out FunctionCallContent? content, Func<string>? newCallId = null)
    {
        content = null;
        Dictionary<string, object?> values;
        switch (arguments)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                values = [];
                break;
            case { ValueKind: JsonValueKind.Object } obj:
                values = ToDictionary(obj);
                break;
            case { ValueKind: JsonValueKind.String } text when TryParseObject(text.GetString()!, out JsonElement inner):
                // Some models write the arguments as a JSON string, as the OpenAI wire format does.
                values = ToDictionary(inner);
                break;
            default:
                return false;
        }

        content = new FunctionCallContent(string.IsNullOrEmpty(callId) ? (newCallId ?? NewCallId).Invoke() : callId, name, values);
        return true;
    }

    /// <summary>Parses <paramref name="json"/> as one JSON object; false for anything else.</summary>
    public static bool TryParseObject(string json, out JsonElement element) =>
        TryParse(json, out element) && element.ValueKind == JsonValueKind.Object;

    /// <summary>Parses <paramref name="json"/> as one JSON value; false when it is not JSON or holds a string that is not Unicode text.</summary>
    public static bool TryParse(string json, out JsonElement element)
    {
        // A lone surrogate escape parses, then throws wherever the string is read: such output stays text.
        if (JsonUnicode.IndexOfLoneSurrogateEscape(json) >= 0)
        {
            element = default;
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    /// <summary>A new id in the OpenAI style (<c>call_</c> and random letters and digits).</summary>
    public static string NewCallId() => "call_" + RandomNumberGenerator.GetString(IdAlphabet, 24);

    /// <summary>A random call id of 9 letters and digits, the only shape Mistral's chat templates accept.</summary>
    public static string NewMistralCallId() => RandomNumberGenerator.GetString(IdAlphabet, 9);

    private static Dictionary<string, object?> ToDictionary(JsonElement obj)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            values[property.Name] = property.Value.Clone();
        }

        return values;
    }
}
