using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Functionary v3.2: <c>&gt;&gt;&gt;recipient\n</c> opens each part; recipient <c>all</c> means plain text follows,
/// any other recipient is a function name followed by its JSON arguments.
/// </summary>
internal sealed class FunctionaryToolCallSyntax : ToolCallSyntax
{
    private const string TextRecipient = "all";

    /// <inheritdoc />
    public override string Marker => ToolCallMarkers.FunctionaryRecipient;

    /// <inheritdoc />
    public override int MeasureBlock(string text, bool endOfInput)
    {
        int newline = text.IndexOf('\n', Marker.Length);
        string recipient = newline < 0 ? text[Marker.Length..] : text[Marker.Length..newline];
        if (!recipient.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return NotACall;
        }

        if (newline < 0)
        {
            return endOfInput ? NotACall : NeedMoreInput;
        }

        if (recipient == TextRecipient)
        {
            // A block of its own that yields no call: the text after it is read as usual.
            return newline + 1;
        }

        return BlockEndAtJson(JsonValueScanner.FindEnd(text, newline + 1), text, endOfInput);
    }

    /// <inheritdoc />
    public override bool TryParse(string block, List<FunctionCallContent> calls)
    {
        int newline = block.IndexOf('\n', StringComparison.Ordinal);
        string recipient = block[Marker.Length..newline];
        if (recipient == TextRecipient)
        {
            return true;
        }

        if (recipient.Length == 0
            || !FunctionCallReader.TryParseObject(block[(newline + 1)..], out JsonElement arguments)
            || !FunctionCallReader.TryCreate(recipient, arguments, null, out FunctionCallContent? call))
        {
            return false;
        }

        calls.Add(call!);
        return true;
    }
}
