using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Chat;

/// <summary>
/// OffGrid-specific keys of <see cref="ChatOptions.AdditionalProperties"/> and <see cref="UsageDetails.AdditionalCounts"/>.
/// </summary>
public static class LlamaChatOptions
{
    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key: when <see langword="true"/>, the messages' text is sent to the
    /// model as is, without the chat template (raw completion, as OpenAI's <c>/v1/completions</c> and Ollama's <c>raw</c>).
    /// </summary>
    public const string RawPromptKey = "offgrid.raw_prompt";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for min-p sampling (a number between 0 and 1).</summary>
    public const string MinPKey = "min_p";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for the repeat penalty (1 disables it).</summary>
    public const string RepeatPenaltyKey = "repeat_penalty";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key for how many recent tokens the repeat penalty looks at.</summary>
    public const string RepeatLastNKey = "repeat_last_n";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent evaluating the prompt.</summary>
    public const string PromptEvalDurationKey = "prompt_eval_duration_ns";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent generating the answer.</summary>
    public const string EvalDurationKey = "eval_duration_ns";

    /// <summary>Whether <paramref name="options"/> asks for a raw prompt.</summary>
    public static bool IsRawPrompt(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(RawPromptKey, out object? value) == true && value is true or "true";
}
