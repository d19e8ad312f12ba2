using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// <c>&lt;tool_call&gt;{"name":…,"arguments":{…}}&lt;/tool_call&gt;</c> (Hermes, Qwen 2.5/3), and the XML body
/// Qwen3-Coder writes inside the same tags: <c>&lt;function=name&gt;&lt;parameter=key&gt;value&lt;/parameter&gt;&lt;/function&gt;</c>.
/// </summary>
internal sealed partial class HermesToolCallSyntax : ToolCallSyntax
{
    /// <inheritdoc />
    public override string Marker => ToolCallMarkers.HermesOpen;

    /// <inheritdoc />
    /// <remarks>
    /// A JSON body ends where its value ends, not at the first close tag: an argument string may itself contain
    /// <c>&lt;/tool_call&gt;</c>. Only when the value never closes (malformed or cut off) does the first close tag end the block.
    /// </remarks>
    public override int MeasureBlock(string text, bool endOfInput)
    {
        int jsonEnd = JsonValueScanner.FindEnd(text, Marker.Length);
        return jsonEnd switch
        {
            JsonValueScanner.NotJson => MeasureToCloseTag(text, Marker.Length, ToolCallMarkers.HermesClose, endOfInput),
            JsonValueScanner.Incomplete => endOfInput ? MeasureToCloseTag(text, Marker.Length, ToolCallMarkers.HermesClose, endOfInput) : NeedMoreInput,
            _ => MeasureToCloseTag(text, jsonEnd, ToolCallMarkers.HermesClose, endOfInput),
        };
    }

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        string body = Inner(block, Marker, ToolCallMarkers.HermesClose).Trim();
        if (body.StartsWith(ToolCallMarkers.FunctionOpen, StringComparison.Ordinal))
        {
            return TryParseXmlBody(body, calls);
        }

        if (!FunctionCallReader.TryParse(body, out JsonElement json) || !FunctionCallReader.TryReadCallObject(json, out FunctionCallContent? call))
        {
            return false;
        }

        calls.Add(call!);
        return true;
    }

    private static bool TryParseXmlBody(string body, List<FunctionCallContent> calls)
    {
        Match function = XmlFunction().Match(body);
        if (!function.Success)
        {
            return false;
        }

        var arguments = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string parameters = function.Groups["parameters"].Value;
        int consumed = 0;
        foreach (Match parameter in XmlParameter().Matches(parameters))
        {
            if (parameters[consumed..parameter.Index].Trim().Length > 0)
            {
                return false;
            }

            // The template writes strings raw and everything else as JSON: read JSON where it parses.
            string raw = parameter.Groups["value"].Value;
            string value = raw.StartsWith('\n') ? raw[1..] : raw;
            value = value.EndsWith('\n') ? value[..^1] : value;
            arguments[parameter.Groups["key"].Value] = FunctionCallReader.TryParse(value, out JsonElement parsed) ? parsed : JsonSerializer.SerializeToElement(value);
            consumed = parameter.Index + parameter.Length;
        }

        if (parameters[consumed..].Trim().Length > 0)
        {
            return false;
        }

        if (!FunctionCallReader.TryCreate(function.Groups["name"].Value, JsonSerializer.SerializeToElement(arguments), null, out FunctionCallContent? call))
        {
            return false;
        }

        calls.Add(call!);
        return true;
    }

    [GeneratedRegex(@"^<function=(?<name>[^>\s]+)>(?<parameters>[\s\S]*?)</function>\s*$")]
    private static partial Regex XmlFunction();

    [GeneratedRegex(@"<parameter=(?<key>[^>\s]+)>(?<value>[\s\S]*?)</parameter>")]
    private static partial Regex XmlParameter();
}
