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

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key: whether a reasoning model thinks before answering (a boolean; the
    /// chat template's <c>enable_thinking</c>, as llama-server's <c>chat_template_kwargs</c>). When absent,
    /// <see cref="ChatOptions.Reasoning"/> decides (<see cref="ReasoningEffort.None"/> turns thinking off), else the template's
    /// default: on wherever the template supports thinking, as in llama.cpp.
    /// </summary>
    public const string EnableThinkingKey = "enable_thinking";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent evaluating the prompt.</summary>
    public const string PromptEvalDurationKey = "prompt_eval_duration_ns";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent generating the answer.</summary>
    public const string EvalDurationKey = "eval_duration_ns";

    /// <summary>
    /// Whether <paramref name="options"/> asks the model to think: <see cref="EnableThinkingKey"/> first, then
    /// <see cref="ChatOptions.Reasoning"/>; <see langword="null"/> when neither says.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="EnableThinkingKey"/> holds something other than a boolean.</exception>
    public static bool? GetEnableThinking(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(EnableThinkingKey, out object? value) == true)
        {
            return value switch
            {
                bool b => b,
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True } => true,
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.False } => false,
                "true" => true,
                "false" => false,
                _ => throw new ArgumentException($"The chat option '{EnableThinkingKey}' must be true or false."),
            };
        }

        return options?.Reasoning?.Effort is { } effort ? effort != ReasoningEffort.None : null;
    }

    /// <summary>Whether <paramref name="options"/> asks for a raw prompt.</summary>
    public static bool IsRawPrompt(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(RawPromptKey, out object? value) == true && value is true or "true";
}
