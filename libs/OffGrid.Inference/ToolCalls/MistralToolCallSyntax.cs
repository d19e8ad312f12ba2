using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Mistral's <c>[TOOL_CALLS]</c>, followed either by a JSON array of call objects (Nemo and older) or by
/// <c>name[ARGS]{…}</c>, optionally <c>name[CALL_ID]id[ARGS]{…}</c> (Small 3.2, Devstral, Magistral).
/// </summary>
internal sealed class MistralToolCallSyntax : ToolCallSyntax
{
    /// <inheritdoc />
    public override string Marker => ToolCallMarkers.MistralCalls;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput)
    {
        int i = Marker.Length;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            return endOfInput ? NotACall : NeedMoreInput;
        }

        if (text[i] == '[' && !ToolCallMarkers.MistralArgs.StartsWith(text[i..Math.Min(text.Length, i + ToolCallMarkers.MistralArgs.Length)], StringComparison.Ordinal))
        {
            return BlockEndAtJson(JsonValueScanner.FindEnd(text, i), text, endOfInput);
        }

        int args = text.IndexOf(ToolCallMarkers.MistralArgs, i, StringComparison.Ordinal);
        if (args < 0)
        {
            // Still inside the name (or the call id): fine while nothing but a name could be there.
            bool plausible = text[i..].All(c => !char.IsWhiteSpace(c) && c != '{');
            return plausible && !endOfInput ? NeedMoreInput : NotACall;
        }

        return BlockEndAtJson(JsonValueScanner.FindEnd(text, args + ToolCallMarkers.MistralArgs.Length), text, endOfInput);
    }

    // Mistral's templates reject any call id that is not 9 letters and digits, so ids the model left out are made
    // in that shape and the calls can go back through the template on the next turn.
    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        string body = block[Marker.Length..].Trim();
        int args = body.IndexOf(ToolCallMarkers.MistralArgs, StringComparison.Ordinal);
        if (args < 0)
        {
            return TryParseArray(body, calls);
        }

        string name = body[..args];
        string? id = null;
        int idMarker = name.IndexOf(ToolCallMarkers.MistralCallId, StringComparison.Ordinal);
        if (idMarker >= 0)
        {
            id = name[(idMarker + ToolCallMarkers.MistralCallId.Length)..];
            name = name[..idMarker];
        }

        if (name.Length == 0
            || !FunctionCallReader.TryParseObject(body[(args + ToolCallMarkers.MistralArgs.Length)..], out JsonElement arguments)
            || !FunctionCallReader.TryCreate(name, arguments, id, out FunctionCallContent? call, FunctionCallReader.NewMistralCallId))
        {
            return false;
        }

        calls.Add(call!);
        return true;
    }

    /// <inheritdoc />
    public override void Salvage(string partialBlock, List<FunctionCallContent> calls)
    {
        int open = Marker.Length;
        while (open < partialBlock.Length && char.IsWhiteSpace(partialBlock[open]))
        {
            open++;
        }

        if (open < partialBlock.Length && partialBlock[open] == '[' && JsonValueScanner.FindEnd(partialBlock, open) == JsonValueScanner.Incomplete)
        {
            SalvageCallArray(partialBlock, open, calls, FunctionCallReader.NewMistralCallId);
        }
    }

    private static bool TryParseArray(string body, List<FunctionCallContent> calls)
    {
        if (!FunctionCallReader.TryParse(body, out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return false;
        }

        return FunctionCallReader.TryReadCallObjects(array.EnumerateArray(), calls, FunctionCallReader.NewMistralCallId);
    }
}
