namespace OffGrid.Inference.ToolCalls;

/// <summary>Recognises a model family's tool-call convention from the text of its chat template.</summary>
internal static class ToolCallFormatDetector
{
    /// <summary>
    /// The format the template teaches, or <see cref="ToolCallFormat.GenericJson"/> when it shows none that is known
    /// (including Functionary v2's <c>&lt;|recipient|&gt;</c> convention, which is not implemented).
    /// </summary>
    public static ToolCallFormat Detect(string? chatTemplate)
    {
        if (string.IsNullOrEmpty(chatTemplate))
        {
            return ToolCallFormat.GenericJson;
        }

        bool Has(string marker) => chatTemplate.Contains(marker, StringComparison.Ordinal);

        // Most specific markers first: several templates mention more than one of them.
        if (Has(ToolCallMarkers.DeepSeekCallsBegin))
        {
            return Has("```json") ? ToolCallFormat.DeepSeekR1 : ToolCallFormat.DeepSeekV3;
        }

        if (Has(ToolCallMarkers.MistralCalls))
        {
            return Has(ToolCallMarkers.MistralArgs) || Has("tool_call.function.name") ? ToolCallFormat.MistralNameArgs : ToolCallFormat.MistralJsonArray;
        }

        if (Has(">>>all") || (Has(">>>") && Has("recipient")))
        {
            return ToolCallFormat.FunctionaryV32;
        }

        if (Has(ToolCallMarkers.FunctionOpen) && Has(ToolCallMarkers.FunctionClose) && !Has(ToolCallMarkers.HermesOpen))
        {
            return ToolCallFormat.FunctionaryV31;
        }

        if (Has(ToolCallMarkers.HermesOpen))
        {
            return ToolCallFormat.Hermes;
        }

        if (Has(ToolCallMarkers.PythonTag) || (Has("\"parameters\"") && Has("<|start_header_id|>")))
        {
            return ToolCallFormat.Llama3Json;
        }

        return ToolCallFormat.GenericJson;
    }

    /// <summary>
    /// Whether the template can show an assistant turn with several tool calls. Llama 3.1 to 3.3 raise "This model only
    /// supports single tool-calls at once!" on one, so their models must make one call per turn.
    /// </summary>
    public static bool AllowsParallelCalls(string? chatTemplate) =>
        chatTemplate?.Contains("only supports single tool-call", StringComparison.Ordinal) != true;
}
