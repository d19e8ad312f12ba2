namespace OffGrid.Inference.ToolCalls;

/// <summary>Parses a complete model output into answer text, reasoning and tool calls.</summary>
internal static class ToolCallParser
{
    /// <summary>
    /// Splits <paramref name="output"/>. Malformed tool-call blocks stay in the text; this never throws on model output.
    /// </summary>
    /// <param name="output">Everything the model generated for one response.</param>
    /// <param name="format">The tool-call convention of the model.</param>
    /// <param name="reasoningStartsOpen">True when the prompt ends with <c>&lt;think&gt;</c>.</param>
    public static ParsedModelOutput Parse(string output, ToolCallFormat format, bool reasoningStartsOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var parser = new StreamingToolCallParser(format, reasoningStartsOpen);
        return ParsedModelOutput.FromContents(parser.Append(output).Concat(parser.Complete()));
    }
}
