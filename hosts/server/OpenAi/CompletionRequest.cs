using System.Text.Json;

namespace OffGrid.Server.OpenAi;

/// <summary>The body of <c>POST /v1/completions</c> (legacy raw-prompt completion).</summary>
internal sealed class CompletionRequest
{
    public string? Model { get; set; }

    /// <summary>A string, or an array holding one string.</summary>
    public JsonElement? Prompt { get; set; }

    public bool Stream { get; set; }

    public ChatCompletionRequest.StreamSettings? StreamOptions { get; set; }

    public int? MaxTokens { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public long? Seed { get; set; }

    public JsonElement? Stop { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public int? N { get; set; }

    public bool Echo { get; set; }

    public string? Suffix { get; set; }

    public int? Logprobs { get; set; }

    public int? TopK { get; set; }

    public float? MinP { get; set; }

    public float? RepeatPenalty { get; set; }

    public int? RepeatLastN { get; set; }
}
