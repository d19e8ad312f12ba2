namespace OffGrid.Inference.ToolCalls;

/// <summary>The literal markers the supported model families put around tool calls and reasoning.</summary>
internal static class ToolCallMarkers
{
    public const string HermesOpen = "<tool_call>";
    public const string HermesClose = "</tool_call>";
    public const string PythonTag = "<|python_tag|>";
    public const string MistralCalls = "[TOOL_CALLS]";
    public const string MistralArgs = "[ARGS]";
    public const string MistralCallId = "[CALL_ID]";
    public const string FunctionaryRecipient = ">>>";
    public const string FunctionOpen = "<function=";
    public const string FunctionClose = "</function>";
    public const string DeepSeekCallsBegin = "<｜tool▁calls▁begin｜>";
    public const string DeepSeekCallsEnd = "<｜tool▁calls▁end｜>";
    public const string DeepSeekCallBegin = "<｜tool▁call▁begin｜>";
    public const string DeepSeekCallEnd = "<｜tool▁call▁end｜>";
    public const string DeepSeekSeparator = "<｜tool▁sep｜>";
    public const string ThinkOpen = "<think>";
    public const string ThinkClose = "</think>";
    public const string MistralThinkOpen = "[THINK]";
    public const string MistralThinkClose = "[/THINK]";
}
