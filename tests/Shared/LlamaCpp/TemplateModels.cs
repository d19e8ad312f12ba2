using OffGrid.Testing.Models;

namespace OffGrid.Testing.LlamaCpp;

/// <summary>Generated random-weight models that speak through a real chat template from llama.cpp's corpus.</summary>
internal static class TemplateModels
{
    /// <summary>Qwen 2.5's template with its special tokens and <c>&lt;tool_call&gt;</c> markers (Hermes-style tool calls).</summary>
    public static TestLlamaModelSpec QwenSpec => new()
    {
        ChatTemplate = Template("Qwen-Qwen2.5-7B-Instruct.jinja"),
        SpecialTokens = ["<|im_start|>", "<|im_end|>"],
        UserDefinedTokens = ["<tool_call>", "</tool_call>"],
        EndOfTurnToken = "<|im_end|>",
    };

    /// <summary>The path of the Qwen-template model, generated on first use.</summary>
    public static string Qwen => TestLlamaModels.GetOrCreate(QwenSpec);

    /// <summary>
    /// One model per tool-call convention OffGrid parses, each on a real template of that family: Hermes (Qwen 2.5),
    /// Llama 3.1 JSON, Mistral's JSON array (Nemo) and name/arguments form (Small 3.2), Functionary v3.2 and v3.1,
    /// DeepSeek R1 and V3.1, and the generic JSON fallback (Phi 3.5, whose template knows no tools).
    /// </summary>
    public static IReadOnlyDictionary<string, TestLlamaModelSpec> ToolCallFamilies => new Dictionary<string, TestLlamaModelSpec>(StringComparer.Ordinal)
    {
        ["hermes"] = QwenSpec,
        ["llama3"] = new()
        {
            ChatTemplate = Template("meta-llama-Llama-3.1-8B-Instruct.jinja"),
            SpecialTokens = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>"],
            UserDefinedTokens = ["<|python_tag|>"],
            EndOfTurnToken = "<|eot_id|>",
        },
        ["mistral-nemo"] = new()
        {
            ChatTemplate = Template("mistralai-Mistral-Nemo-Instruct-2407.jinja"),
            SpecialTokens = ["[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"],
            UserDefinedTokens = ["[TOOL_CALLS]"],
        },
        ["mistral-small"] = new()
        {
            ChatTemplate = Template("Mistral-Small-3.2-24B-Instruct-2506.jinja"),
            SpecialTokens = ["[INST]", "[/INST]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CONTENT]"],
            UserDefinedTokens = ["[TOOL_CALLS]", "[ARGS]", "[CALL_ID]"],
        },
        ["functionary-v3.2"] = new()
        {
            ChatTemplate = Template("meetkai-functionary-medium-v3.2.jinja"),
            SpecialTokens = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
            EndOfTurnToken = "<|eot_id|>",
        },
        ["functionary-v3.1"] = new()
        {
            ChatTemplate = Template("meetkai-functionary-medium-v3.1.jinja"),
            SpecialTokens = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>"],
            UserDefinedTokens = ["<|python_tag|>"],
            EndOfTurnToken = "<|eot_id|>",
        },
        ["deepseek-r1"] = DeepSeek("deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja"),
        ["deepseek-v3"] = DeepSeek("deepseek-ai-DeepSeek-V3.1.jinja"),
        ["generic"] = new()
        {
            ChatTemplate = Template("microsoft-Phi-3.5-mini-instruct.jinja"),
            SpecialTokens = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"],
            EndOfTurnToken = "<|end|>",
        },
    };

    // The generated vocabulary falls back to bytes only for ASCII, so the markers' full-width bar and block are tokens of
    // their own: a grammar that allowed "<" at the start of a marker could otherwise reach a character no token spells.
    private static TestLlamaModelSpec DeepSeek(string template) => new()
    {
        ChatTemplate = Template(template),
        SpecialTokens = ["<｜User｜>", "<｜Assistant｜>", "<｜end▁of▁sentence｜>"],
        UserDefinedTokens = ["<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>", "<｜tool▁call▁begin｜>", "<｜tool▁call▁end｜>", "<｜tool▁sep｜>", "<｜tool▁outputs▁begin｜>", "<｜tool▁outputs▁end｜>", "<｜tool▁output▁begin｜>", "<｜tool▁output▁end｜>", "｜", "▁"],
        EndOfTurnToken = "<｜end▁of▁sentence｜>",
    };

    private static string Template(string file) => File.ReadAllText(Path.Combine(LlamaCppSources.TemplatesDir, file));
}
