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
        if (!FunctionCallReader.TryParseObject(block, out JsonElement json)
            || !json.TryGetProperty("tool_calls", out JsonElement list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        return FunctionCallReader.TryReadCallObjects(list.EnumerateArray(), calls);
    }

    /// <inheritdoc />
    public override void Salvage(string partialBlock, List<FunctionCallContent> calls)
    {
        Match start = ListStart().Match(partialBlock);
        if (start.Success && JsonValueScanner.FindEnd(partialBlock, 0) == JsonValueScanner.Incomplete)
        {
            SalvageCallArray(partialBlock, start.Length - 1, calls);
        }
    }

    [GeneratedRegex(@"^\s*\{\s*""tool_calls""\s*:\s*\[")]
    private static partial Regex ListStart();
}
