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

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> and <see cref="ChatResponse.AdditionalProperties"/> key, as Ollama's
    /// <c>/api/generate</c> <c>context</c>: in a request, the tokens of an earlier exchange (integers, as a previous response
    /// returned them) that this prompt continues; the response then carries the tokens of the whole exchange (the earlier
    /// ones, this prompt and the answer) under the same key. Set it to an empty list to get the context of a first exchange.
    /// The engine reuses the cached prefix, so a continued exchange costs only its new tokens.
    /// </summary>
    public const string ContextKey = "context";

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key for a GBNF grammar (a <see cref="string"/>, llama.cpp's syntax, as
    /// llama-server's <c>grammar</c> field) that constrains the answer. It cannot be combined with
    /// <see cref="ChatOptions.ResponseFormat"/> JSON or with tools, which bring grammars of their own.
    /// </summary>
    public const string GrammarKey = "grammar";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent evaluating the prompt.</summary>
    public const string PromptEvalDurationKey = "prompt_eval_duration_ns";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds spent generating the answer.</summary>
    public const string EvalDurationKey = "eval_duration_ns";

    /// <summary>
    /// <see cref="UsageDetails.AdditionalCounts"/> key: nanoseconds a remote engine reports it spent loading the model for the
    /// request (Ollama's <c>load_duration</c>, through a <see cref="Remote.RemoteBackendKind.Ollama"/> backend). Absent when the
    /// engine does not say: OpenAI-compatible servers do not.
    /// </summary>
    public const string LoadDurationKey = "load_duration_ns";

    /// <summary>
    /// <see cref="UsageDetails.AdditionalCounts"/> key, present with speculative decoding: tokens drafted for the answer
    /// (see <see cref="Engine.Speculation.SpeculativeDecodingOptions"/>).
    /// </summary>
    public const string DraftTokensKey = "draft_tokens";

    /// <summary><see cref="UsageDetails.AdditionalCounts"/> key, present with speculative decoding: drafted tokens the model accepted.</summary>
    public const string AcceptedDraftTokensKey = "draft_accepted_tokens";

    /// <summary>
    /// Whether <paramref name="options"/> asks the model to think: <see cref="EnableThinkingKey"/> first, then
    /// <see cref="ChatOptions.Reasoning"/>; <see langword="null"/> when neither says.
    /// </summary>
    /// <exception cref="InvalidRequestException"><see cref="EnableThinkingKey"/> holds something other than a boolean.</exception>
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
                _ => throw new InvalidRequestException($"The chat option '{EnableThinkingKey}' must be true or false.", EnableThinkingKey),
            };
        }

        return options?.Reasoning?.Effort is { } effort ? effort != ReasoningEffort.None : null;
    }

    /// <summary>The tokens of an earlier exchange in <paramref name="options"/> (<see cref="ContextKey"/>); empty when none.</summary>
    /// <param name="options">The request options.</param>
    /// <param name="vocabularySize">The model's vocabulary size: every token must be below it.</param>
    /// <exception cref="InvalidRequestException">The value is not a list of the model's token ids.</exception>
    public static int[] GetContextTokens(ChatOptions? options, int vocabularySize)
    {
        if (options?.AdditionalProperties?.TryGetValue(ContextKey, out object? value) != true || value is null)
        {
            return [];
        }

        IEnumerable<long>? numbers = value switch
        {
            IEnumerable<int> ints => ints.Select(i => (long)i),
            IEnumerable<long> longs => longs,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } array
                when array.EnumerateArray().All(e => e.ValueKind == System.Text.Json.JsonValueKind.Number && e.TryGetInt64(out _))
                => array.EnumerateArray().Select(e => e.GetInt64()),
            _ => null,
        };
        long[] tokens = numbers?.ToArray() ?? throw new InvalidRequestException($"'{ContextKey}' must be a list of token ids.", ContextKey);
        return tokens.All(t => t >= 0 && t < vocabularySize)
            ? [.. tokens.Select(t => (int)t)]
            : throw new InvalidRequestException($"'{ContextKey}' holds token ids this model does not have (its vocabulary has {vocabularySize}); send back the context this model returned.", ContextKey);
    }

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

    /// <summary>
    /// Checks the sampling settings of <paramref name="options"/> (temperature, top-p, top-k, penalties, min-p, the repeat
    /// penalty and its window, the output limit, stop sequences) against the ranges <see cref="LlamaChatClient"/> takes: the
    /// same check the client makes, for a host that refuses a bad request before it loads a model.
    /// </summary>
    /// <param name="options">The options; <see langword="null"/> is valid.</param>
    /// <exception cref="SamplingRangeException">The first setting out of range, with the setting and its range.</exception>
    /// <exception cref="InvalidRequestException">An OffGrid option (<see cref="MinPKey"/>, …) is not a number.</exception>
    /// <remarks>Thread-safe.</remarks>
    public static void ValidateSampling(ChatOptions? options) => SamplingRanges.Read(options, new Engine.SamplingParameters());
}
