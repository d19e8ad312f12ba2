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
    /// <see cref="ChatOptions.AdditionalProperties"/> key read by pooled clients: the per-sequence context (an
    /// <see cref="int"/>, at least 16 tokens) the model is loaded with for this request, as Ollama's <c>num_ctx</c>.
    /// A model is loaded once per distinct context size.
    /// </summary>
    public const string ContextSizeKey = "num_ctx";

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key read by pooled clients: how long the model stays loaded once
    /// idle (a <see cref="TimeSpan"/>; zero unloads it after the request, negative keeps it loaded), as Ollama's <c>keep_alive</c>.
    /// </summary>
    public const string KeepAliveKey = "keep_alive";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent evaluating the prompt.</summary>
    public const string PromptEvalDurationKey = "prompt_eval_duration_ns";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent generating the answer.</summary>
    public const string EvalDurationKey = "eval_duration_ns";

    /// <summary>Whether <paramref name="options"/> asks for a raw prompt.</summary>
    public static bool IsRawPrompt(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(RawPromptKey, out object? value) == true && value is true or "true";

    /// <summary>Reads <see cref="ContextSizeKey"/>: the context size a request asks for.</summary>
    /// <param name="properties">A request's additional properties, or <see langword="null"/>.</param>
    /// <returns>The context size, or <see langword="null"/> for the pool's.</returns>
    /// <exception cref="InvalidRequestException">The value is not an integer of at least <see cref="Pooling.LlamaModelPool.MinimumContextSize"/>.</exception>
    public static int? GetContextSize(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(ContextSizeKey, out object? value) || value is null)
        {
            return null;
        }

        long? whole = value switch
        {
            int i => i,
            long l => l,
            _ => null,
        };
        return whole is { } size && size >= Pooling.LlamaModelPool.MinimumContextSize && size <= int.MaxValue
            ? (int)size
            : throw new InvalidRequestException($"'{ContextSizeKey}' must be an integer of at least {Pooling.LlamaModelPool.MinimumContextSize}.", ContextSizeKey);
    }

    /// <summary>Reads <see cref="KeepAliveKey"/>: how long a request asks the model to stay loaded once idle.</summary>
    /// <param name="properties">A request's additional properties, or <see langword="null"/>.</param>
    /// <returns>The keep-alive, or <see langword="null"/> to leave the model's as it is.</returns>
    /// <exception cref="InvalidRequestException">The value is not a <see cref="TimeSpan"/>.</exception>
    public static TimeSpan? GetKeepAlive(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(KeepAliveKey, out object? value) || value is null)
        {
            return null;
        }

        return value as TimeSpan? ?? throw new InvalidRequestException($"'{KeepAliveKey}' must be a TimeSpan.", KeepAliveKey);
    }
}
