using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.ToolCalls;

public sealed class ToolCallFormatDetectorTests
{
    // Excerpts of the real templates (llama.cpp models/templates) with the lines that give the format away.
    [Theory]
    [InlineData("{{- '<tool_call>\\n' }}{{- tool_call.arguments | tojson }}{{- '\\n</tool_call>' }}", nameof(ToolCallFormat.Hermes))]
    [InlineData("<tool_call>\\n<function=' + tool_call.name + '>\\n<parameter=", nameof(ToolCallFormat.Hermes))]
    [InlineData("{{- \"<|python_tag|>\" + tool_call.name + \".call(\" }} Respond in the format {\"name\": function name, \"parameters\": dictionary}", nameof(ToolCallFormat.Llama3Json))]
    [InlineData("<|start_header_id|>user<|end_header_id|> Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.", nameof(ToolCallFormat.Llama3Json))]
    [InlineData("{{- \"[TOOL_CALLS][\" }}{%- for tool_call in message.tool_calls %}", nameof(ToolCallFormat.MistralJsonArray))]
    [InlineData("{{- '[TOOL_CALLS]' + tool_call.function.name }}{{- '[CALL_ID]' + tool_call.id }}{{- '[ARGS]' + arguments }}", nameof(ToolCallFormat.MistralNameArgs))]
    [InlineData("{{- '[TOOL_CALLS]' }}{%- set name = tool['function']['name'] %}{{- name + '[ARGS]' + arguments }}", nameof(ToolCallFormat.MistralNameArgs))]
    [InlineData("Respond in this format:\\n>>>${recipient}\\n${content} {{ '>>>all\\n' + message['content'] }}", nameof(ToolCallFormat.FunctionaryV32))]
    [InlineData("{{ '<function=' + tool_call['function']['name'] + '>' + tool_call['function']['arguments'] | tojson + '</function>' }}", nameof(ToolCallFormat.FunctionaryV31))]
    [InlineData("'<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n' + '```json' + '\\n'", nameof(ToolCallFormat.DeepSeekR1))]
    [InlineData("'<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>'+ tool['function']['name'] + '<｜tool▁sep｜>' + tool['function']['arguments'] | tojson", nameof(ToolCallFormat.DeepSeekV3))]
    [InlineData("{% for message in messages %}{{ message.content }}{% endfor %}", nameof(ToolCallFormat.GenericJson))]
    [InlineData("<|from|>assistant\\n<|recipient|>all\\n<|content|>", nameof(ToolCallFormat.GenericJson))]
    [InlineData("", nameof(ToolCallFormat.GenericJson))]
    public void DetectsTheFormatFromTemplateText(string template, string expected) =>
        Assert.Equal(expected, ToolCallFormatDetector.Detect(template).ToString());

    [Fact]
    public void NullTemplateFallsBackToGenericJson() =>
        Assert.Equal(ToolCallFormat.GenericJson, ToolCallFormatDetector.Detect(null));

    [Fact]
    public void Llama31TemplatesAllowOneCallPerTurn()
    {
        Assert.False(ToolCallFormatDetector.AllowsParallelCalls("{%- if message.tool_calls|length != 1 %}{{- raise_exception(\"This model only supports single tool-calls at once!\") }}"));
        Assert.True(ToolCallFormatDetector.AllowsParallelCalls("{%- for tool_call in message.tool_calls %}<tool_call>{% endfor %}"));
        Assert.True(ToolCallFormatDetector.AllowsParallelCalls(null));
    }
}
