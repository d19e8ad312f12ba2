using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.Inference;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.Chat;

/// <summary>
/// The generation settings both APIs carry under different names, validated once and turned into
/// <see cref="ChatOptions"/> (OffGrid's extra samplers go into <see cref="ChatOptions.AdditionalProperties"/>).
/// </summary>
internal sealed record SamplingSettings
{
    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public long? Seed { get; init; }

    public int? MaxOutputTokens { get; init; }

    public IList<string>? Stop { get; init; }

    public float? PresencePenalty { get; init; }

    public float? FrequencyPenalty { get; init; }

    public float? MinP { get; init; }

    public float? RepeatPenalty { get; init; }

    public int? RepeatLastN { get; init; }

    /// <summary>Builds chat options from the settings, checked by the inference library's one range check before any model loads.</summary>
    /// <param name="names">The request's name of each setting, for error messages.</param>
    /// <exception cref="ApiException">400 naming the first value out of range, as this API spells it.</exception>
    public ChatOptions ToChatOptions(SamplingFieldNames names)
    {
        var options = new ChatOptions
        {
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            Seed = Seed,
            MaxOutputTokens = MaxOutputTokens,
            StopSequences = Stop is { Count: > 0 } ? [.. Stop] : null,
            PresencePenalty = PresencePenalty,
            FrequencyPenalty = FrequencyPenalty,
        };
        var extra = new AdditionalPropertiesDictionary();
        if (MinP is { } minP)
        {
            extra[LlamaChatOptions.MinPKey] = minP;
        }

        if (RepeatPenalty is { } repeatPenalty)
        {
            extra[LlamaChatOptions.RepeatPenaltyKey] = repeatPenalty;
        }

        if (RepeatLastN is { } repeatLastN)
        {
            extra[LlamaChatOptions.RepeatLastNKey] = repeatLastN;
        }

        options.AdditionalProperties = extra.Count > 0 ? extra : null;
        try
        {
            LlamaChatOptions.ValidateSampling(options);
        }
        catch (SamplingRangeException e)
        {
            string field = names.Of(e.ParamName);
            throw ApiException.BadRequest($"'{field}' must be {e.Requirement}.", field);
        }

        return options;
    }
}
