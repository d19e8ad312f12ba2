using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>The fallback convention: the whole answer is <c>{"tool_calls":[{"name":…,"arguments":{…}}, …]}</c>.</summary>
internal sealed partial class GenericJsonToolCallSyntax : ToolCallSyntax
{

    /// <inheritdoc />
    public override string Marker => "{";

    /// <inheritdoc />
    public override bool OnlyAtAnswerStart => true;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput)
    {
        int end = JsonValueScanner.FindEnd(text, 0);
        return end == JsonValueScanner.Incomplete ? (endOfInput ? text.Length : NeedMoreInput) : end;
    }

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        if (FunctionCallReader.TryParseObject(block, out JsonElement json))
        {
            return json.TryGetProperty("tool_calls", out JsonElement list)
                && list.ValueKind == JsonValueKind.Array
                && FunctionCallReader.TryReadCallObjects(list.EnumerateArray(), calls);
        }

        // Cut off by the token limit: the calls written completely before the cut still count.
        Match open = ListOpening().Match(block);
        return open.Success
            && JsonValueScanner.FindEnd(block, 0) == JsonValueScanner.Incomplete
            && FunctionCallReader.TryReadCutOffList(block, open.Length, calls);
    }

    [GeneratedRegex("""^\s*\{\s*"tool_calls"\s*:\s*(?=\[)""")]
    private static partial Regex ListOpening();
}
