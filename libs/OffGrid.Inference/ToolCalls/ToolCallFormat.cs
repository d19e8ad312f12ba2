namespace OffGrid.Inference.ToolCalls;

/// <summary>How a model family writes tool calls in its output, as taught by its chat template.</summary>
internal enum ToolCallFormat
{
    /// <summary>No tools were offered: only reasoning is split from the answer.</summary>
    None = -1,

    /// <summary>No known convention: the model is asked for <c>{"tool_calls":[{"name":…,"arguments":{…}}]}</c>.</summary>
    GenericJson,

    /// <summary>Hermes 2/3, Qwen 2.5/3: <c>&lt;tool_call&gt;\n{"name":…,"arguments":{…}}\n&lt;/tool_call&gt;</c>, one block per call.</summary>
    Hermes,

    /// <summary>Llama 3.1/3.2/3.3: <c>{"name":…,"parameters":{…}}</c> at the start of the answer, optionally after <c>&lt;|python_tag|&gt;</c>.</summary>
    Llama3Json,

    /// <summary>Mistral Nemo and older: <c>[TOOL_CALLS][{"name":…,"arguments":{…}}, …]</c>.</summary>
    MistralJsonArray,

    /// <summary>Mistral Small 3.2, Devstral, Magistral, Ministral 3: <c>[TOOL_CALLS]name[ARGS]{…}</c> per call (optionally with <c>[CALL_ID]id</c>).</summary>
    MistralNameArgs,

    /// <summary>Functionary v3.2: <c>&gt;&gt;&gt;name\n{…}</c> per call, <c>&gt;&gt;&gt;all\n</c> before plain text; the prompt ends with <c>&gt;&gt;&gt;</c>.</summary>
    FunctionaryV32,

    /// <summary>Functionary v3.1 (Llama 3.1 based): <c>&lt;function=name&gt;{…}&lt;/function&gt;</c>.</summary>
    FunctionaryV31,

    /// <summary>DeepSeek R1 (and its distills): <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;name\n```json\n{…}\n```&lt;｜tool▁call▁end｜&gt;</c> inside the calls block.</summary>
    DeepSeekR1,

    /// <summary>DeepSeek V3.1+: <c>&lt;｜tool▁call▁begin｜&gt;name&lt;｜tool▁sep｜&gt;{…}&lt;｜tool▁call▁end｜&gt;</c> inside the calls block.</summary>
    DeepSeekV3,
}
