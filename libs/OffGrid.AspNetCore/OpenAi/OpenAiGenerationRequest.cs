using System.Text.Json;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>The fields <c>/v1/chat/completions</c> and <c>/v1/completions</c> share: model, streaming and sampling (llama.cpp's extras included).</summary>
internal abstract class OpenAiGenerationRequest
{
    public string? Model { get; set; }

    public bool Stream { get; set; }

    public StreamSettings? StreamOptions { get; set; }

    public int? MaxTokens { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public long? Seed { get; set; }

    /// <summary>A string or an array of up to four strings.</summary>
    public JsonElement? Stop { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public int? N { get; set; }

    public int? TopK { get; set; }

    public float? MinP { get; set; }

    public float? RepeatPenalty { get; set; }

    public int? RepeatLastN { get; set; }

    /// <summary>Extra body field <c>num_ctx</c>: the context the model is loaded with for this request.</summary>
    public int? NumCtx { get; set; }

    /// <summary>The validated <see cref="NumCtx"/>.</summary>
    public int? ContextSize() => ContextSizeOption.Read(NumCtx, "num_ctx");

    /// <summary>Checks the fields every generation request shares and collects the sampling settings.</summary>
    /// <param name="maxOutputTokens">The output limit (chat prefers <c>max_completion_tokens</c>).</param>
    /// <exception cref="ApiException">400 for more than one choice or a malformed <c>stop</c>.</exception>
    public SamplingSettings ToSampling(int? maxOutputTokens)
    {
        if (N is not null and not 1)
        {
            throw ApiException.BadRequest("Only one choice per request is supported ('n' must be 1).", "n");
        }

        return new SamplingSettings
        {
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            Seed = Seed,
            MaxOutputTokens = maxOutputTokens,
            Stop = ReadStop(Stop),
            PresencePenalty = PresencePenalty,
            FrequencyPenalty = FrequencyPenalty,
            MinP = MinP,
            RepeatPenalty = RepeatPenalty,
            RepeatLastN = RepeatLastN,
        };
    }

    private static List<string>? ReadStop(JsonElement? stop) => stop switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } one => [one.GetString()!],
        { ValueKind: JsonValueKind.Array } many when many.GetArrayLength() <= 4 && many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            => [.. many.EnumerateArray().Select(e => e.GetString()!)],
        _ => throw ApiException.BadRequest("'stop' must be a string or an array of up to 4 strings.", "stop"),
    };

    /// <summary><c>stream_options</c>.</summary>
    internal sealed class StreamSettings
    {
        public bool IncludeUsage { get; set; }
    }
}
