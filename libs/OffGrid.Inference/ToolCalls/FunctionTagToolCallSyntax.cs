using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary><c>&lt;function=name&gt;{…}&lt;/function&gt;</c> (Functionary v3.1 and Llama 3.1 custom tools).</summary>
internal sealed class FunctionTagToolCallSyntax : ToolCallSyntax
{
    /// <inheritdoc />
    public override string Marker => ToolCallMarkers.FunctionOpen;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput)
    {
        int nameEnd = text.IndexOf('>', Marker.Length);
        if (nameEnd < 0)
        {
            return endOfInput ? NotACall : NeedMoreInput;
        }

        // Arguments end with their JSON object; the closing tag is optional (the model may stop right after it).
        int end = BlockEndAtJson(JsonValueScanner.FindEnd(text, nameEnd + 1), text, endOfInput);
        if (end < 0)
        {
            return end;
        }

        string rest = text[end..].TrimStart();
        if (rest.StartsWith(ToolCallMarkers.FunctionClose, StringComparison.Ordinal))
        {
            return text.IndexOf(ToolCallMarkers.FunctionClose, end, StringComparison.Ordinal) + ToolCallMarkers.FunctionClose.Length;
        }

        return ToolCallMarkers.FunctionClose.StartsWith(rest, StringComparison.Ordinal) && !endOfInput ? NeedMoreInput : end;
    }

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        string body = Inner(block.TrimEnd(), Marker, ToolCallMarkers.FunctionClose);
        int nameEnd = body.IndexOf('>', StringComparison.Ordinal);
        string name = nameEnd > 0 ? body[..nameEnd] : string.Empty;
        if (name.Length == 0 || !FunctionCallReader.TryParseObject(body[(nameEnd + 1)..], out JsonElement arguments)
            || !FunctionCallReader.TryCreate(name, arguments, null, out FunctionCallContent? call))
        {
            return false;
        }

        calls.Add(call!);
        return true;
    }
}
