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
}
