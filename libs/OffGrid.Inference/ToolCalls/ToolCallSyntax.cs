using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// One way a tool-call block can appear in model output: the marker that opens it, how to tell where it ends
/// while text is still streaming in, and how to read the calls out of it.
/// </summary>
internal abstract class ToolCallSyntax
{
    /// <summary>Returned by <see cref="MeasureBlock"/> when the block may continue.</summary>
    public const int NeedMoreInput = -1;

    /// <summary>Returned by <see cref="MeasureBlock"/> when the marker turned out not to open a call.</summary>
    public const int NotACall = -2;

    /// <summary>The text that opens a block.</summary>
    public abstract string Marker { get; }

    /// <summary>Whether the marker only counts before any answer text (e.g. a bare <c>{</c>).</summary>
    public virtual bool OnlyAtAnswerStart => false;

    /// <summary>The syntaxes to look for in output of <paramref name="format"/>.</summary>
    public static IReadOnlyList<ToolCallSyntax> ForFormat(ToolCallFormat format) => format switch
    {
        ToolCallFormat.None => [],
        ToolCallFormat.Hermes => [new HermesToolCallSyntax()],
        ToolCallFormat.Llama3Json => [new LlamaJsonToolCallSyntax("{"), new LlamaJsonToolCallSyntax(ToolCallMarkers.PythonTag)],
        ToolCallFormat.MistralJsonArray or ToolCallFormat.MistralNameArgs => [new MistralToolCallSyntax()],
        ToolCallFormat.FunctionaryV32 => [new FunctionaryToolCallSyntax(), new FunctionTagToolCallSyntax()],
        ToolCallFormat.FunctionaryV31 => [new FunctionTagToolCallSyntax(), new LlamaJsonToolCallSyntax(ToolCallMarkers.PythonTag)],
        ToolCallFormat.DeepSeekR1 or ToolCallFormat.DeepSeekV3 => [new DeepSeekToolCallSyntax()],
        _ => [new GenericJsonToolCallSyntax()],
    };

    /// <summary>
    /// Given text that starts with <see cref="Marker"/>, returns the length of the complete block,
    /// <see cref="NeedMoreInput"/> or <see cref="NotACall"/>. At <paramref name="endOfInput"/> it never asks for more.
    /// </summary>
    public abstract int MeasureBlock(string text, bool endOfInput);

    /// <summary>Reads the calls of a complete block; false when the block is malformed.</summary>
    public abstract bool TryParse(string block, List<FunctionCallContent> calls);

    /// <summary>
    /// Reads the calls the model finished in a block that was cut off (a list of parallel calls whose last one is
    /// unfinished); adds nothing where a block holds a single call.
    /// </summary>
    public virtual void Salvage(string partialBlock, List<FunctionCallContent> calls)
    {
    }

    /// <summary>Adds the complete call objects of the array that opens at <paramref name="openBracket"/>, stopping at the first that is not a call.</summary>
    protected static void SalvageCallArray(string partialBlock, int openBracket, List<FunctionCallContent> calls, Func<string>? newCallId = null)
    {
        foreach ((int start, int end) in JsonValueScanner.CompleteItems(partialBlock, openBracket))
        {
            if (!FunctionCallReader.TryParse(partialBlock[start..end], out JsonElement item) || !FunctionCallReader.TryReadCallObject(item, out FunctionCallContent? call, newCallId))
            {
                return;
            }

            calls.Add(call!);
        }
    }

    /// <summary>For blocks closed by a fixed tag: the length through the tag, or (at the end of input) the whole text.</summary>
    protected static int MeasureToCloseTag(string text, int from, string closeTag, bool endOfInput)
    {
        int close = text.IndexOf(closeTag, from, StringComparison.Ordinal);
        return close >= 0 ? close + closeTag.Length : endOfInput ? text.Length : NeedMoreInput;
    }

    /// <summary>Maps a <see cref="JsonValueScanner"/> result to a block length for a block that ends with its JSON value.</summary>
    protected static int BlockEndAtJson(int jsonEnd, string text, bool endOfInput) => jsonEnd switch
    {
        JsonValueScanner.NotJson => NotACall,
        JsonValueScanner.Incomplete => endOfInput ? text.Length : NeedMoreInput,
        _ => jsonEnd,
    };

    /// <summary>The text between <paramref name="open"/> at the start and an optional <paramref name="close"/> at the end.</summary>
    protected static string Inner(string block, string open, string close) =>
        block.EndsWith(close, StringComparison.Ordinal) ? block[open.Length..^close.Length] : block[open.Length..];
}
