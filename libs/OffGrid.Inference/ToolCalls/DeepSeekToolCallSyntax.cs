using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// DeepSeek's calls block: <c>&lt;｜tool▁calls▁begin｜&gt;</c> then per call either
/// <c>&lt;｜tool▁call▁begin｜&gt;name&lt;｜tool▁sep｜&gt;{…}&lt;｜tool▁call▁end｜&gt;</c> (V3.1+) or
/// <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;name\n```json\n{…}\n```&lt;｜tool▁call▁end｜&gt;</c> (R1),
/// then <c>&lt;｜tool▁calls▁end｜&gt;</c>.
/// </summary>
internal sealed class DeepSeekToolCallSyntax : ToolCallSyntax
{
    /// <inheritdoc />
    public override string Marker => ToolCallMarkers.DeepSeekCallsBegin;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput) =>
        MeasureToCloseTag(text, Marker.Length, ToolCallMarkers.DeepSeekCallsEnd, endOfInput);

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        string body = Inner(block, Marker, ToolCallMarkers.DeepSeekCallsEnd);
        var found = new List<FunctionCallContent>();
        List<string> segments = [.. body.Split(ToolCallMarkers.DeepSeekCallBegin).Skip(1)];

        // Cut off by the token limit: the last call counts only when it was written completely.
        if (!block.EndsWith(ToolCallMarkers.DeepSeekCallsEnd, StringComparison.Ordinal) && segments.Count > 1 && !segments[^1].Contains(ToolCallMarkers.DeepSeekCallEnd, StringComparison.Ordinal))
        {
            segments.RemoveAt(segments.Count - 1);
        }

        foreach (string segment in segments)
        {
            int end = segment.IndexOf(ToolCallMarkers.DeepSeekCallEnd, StringComparison.Ordinal);
            if (!TryParseCall(end < 0 ? segment : segment[..end], out FunctionCallContent? call))
            {
                return false;
            }

            found.Add(call!);
        }

        calls.AddRange(found);
        return found.Count > 0;
    }

    private static bool TryParseCall(string call, out FunctionCallContent? content)
    {
        content = null;
        int separator = call.IndexOf(ToolCallMarkers.DeepSeekSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return false;
        }

        string before = call[..separator].Trim();
        string after = call[(separator + ToolCallMarkers.DeepSeekSeparator.Length)..].Trim();
        string name = before;
        string arguments = after;
        int fence = after.IndexOf("```json", StringComparison.Ordinal);
        if (fence >= 0)
        {
            // R1: the type comes before the separator, the name and a fenced JSON block after it.
            name = after[..fence].Trim();
            arguments = after[(fence + "```json".Length)..].Trim();
            arguments = arguments.EndsWith("```", StringComparison.Ordinal) ? arguments[..^3] : arguments;
        }

        return name.Length > 0
            && FunctionCallReader.TryParseObject(arguments, out JsonElement json)
            && FunctionCallReader.TryCreate(name, json, null, out content);
    }
}
