using System.Text.Json;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>The body of <c>POST /v1/completions</c> (legacy raw-prompt completion).</summary>
internal sealed class CompletionRequest : OpenAiGenerationRequest
{
    /// <summary>A string, or an array holding one string.</summary>
    public JsonElement? Prompt { get; set; }

    public bool Echo { get; set; }

    public string? Suffix { get; set; }

    public int? Logprobs { get; set; }

    public int? BestOf { get; set; }

    public JsonElement? LogitBias { get; set; }
}
