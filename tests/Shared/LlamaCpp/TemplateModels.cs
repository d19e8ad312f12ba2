using OffGrid.Testing.Models;

namespace OffGrid.Testing.LlamaCpp;

/// <summary>Generated random-weight models that speak through a real chat template from llama.cpp's corpus.</summary>
internal static class TemplateModels
{
    /// <summary>Qwen 2.5's template with its special tokens and <c>&lt;tool_call&gt;</c> markers (Hermes-style tool calls).</summary>
    public static TestLlamaModelSpec QwenSpec => new()
    {
        ChatTemplate = File.ReadAllText(Path.Combine(LlamaCppSources.TemplatesDir, "Qwen-Qwen2.5-7B-Instruct.jinja")),
        SpecialTokens = ["<|im_start|>", "<|im_end|>"],
        UserDefinedTokens = ["<tool_call>", "</tool_call>"],
        EndOfTurnToken = "<|im_end|>",
    };

    /// <summary>The path of the Qwen-template model, generated on first use.</summary>
    public static string Qwen => TestLlamaModels.GetOrCreate(QwenSpec);
}
