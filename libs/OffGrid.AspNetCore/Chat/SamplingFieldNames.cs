using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.Chat;

/// <summary>What an API calls each <see cref="SamplingSettings"/> field, so errors name the field the client sent.</summary>
internal sealed record SamplingFieldNames(
    string Temperature, string TopP, string TopK, string MaxOutputTokens, string Stop,
    string PresencePenalty, string FrequencyPenalty, string MinP, string RepeatPenalty, string RepeatLastN)
{
    /// <summary>OpenAI's top-level body fields.</summary>
    public static SamplingFieldNames OpenAi { get; } = new(
        "temperature", "top_p", "top_k", "max_tokens", "stop", "presence_penalty", "frequency_penalty", "min_p", "repeat_penalty", "repeat_last_n");

    /// <summary>Ollama's <c>options</c> object.</summary>
    public static SamplingFieldNames Ollama { get; } = new(
        "options.temperature", "options.top_p", "options.top_k", "options.num_predict", "options.stop",
        "options.presence_penalty", "options.frequency_penalty", "options.min_p", "options.repeat_penalty", "options.repeat_last_n");

    /// <summary>This API's name for a setting the inference library names (a <see cref="ChatOptions"/> property or an <see cref="LlamaChatOptions"/> key).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The library named a setting this record does not know: a bug.</exception>
    public string Of(string? setting) => setting switch
    {
        nameof(ChatOptions.Temperature) => Temperature,
        nameof(ChatOptions.TopP) => TopP,
        nameof(ChatOptions.TopK) => TopK,
        nameof(ChatOptions.MaxOutputTokens) => MaxOutputTokens,
        nameof(ChatOptions.StopSequences) => Stop,
        nameof(ChatOptions.PresencePenalty) => PresencePenalty,
        nameof(ChatOptions.FrequencyPenalty) => FrequencyPenalty,
        LlamaChatOptions.MinPKey => MinP,
        LlamaChatOptions.RepeatPenaltyKey => RepeatPenalty,
        LlamaChatOptions.RepeatLastNKey => RepeatLastN,
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "The inference library named a sampling setting no API field maps to."),
    };
}
