using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Llama 3.x JSON calls: <c>{"name":…,"parameters":{…}}</c> as the whole answer (marker <c>{</c>), or after
/// <c>&lt;|python_tag|&gt;</c>, where an array of calls is accepted as well.
/// </summary>
internal sealed class LlamaJsonToolCallSyntax(string marker) : ToolCallSyntax
{
    private readonly bool _markerIsJson = marker == "{";

    /// <inheritdoc />
    public override string Marker => marker;

    /// <inheritdoc />
    public override bool OnlyAtAnswerStart => _markerIsJson;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput)
    {
        return BlockEndAtJson(JsonValueScanner.FindEnd(text, _markerIsJson ? 0 : Marker.Length), text, endOfInput);
    }

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        if (!FunctionCallReader.TryParse(_markerIsJson ? block : block[Marker.Length..], out JsonElement json))
        {
            return false;
        }

        return FunctionCallReader.TryReadCallObjects(json.ValueKind == JsonValueKind.Array ? json.EnumerateArray() : [json], calls);
    }
}
