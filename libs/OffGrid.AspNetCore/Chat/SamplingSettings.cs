using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
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

    /// <summary>Validates the settings and builds chat options from them.</summary>
    /// <param name="names">The request's name of each setting, for error messages.</param>
    /// <exception cref="ApiException">400 naming the first value out of range.</exception>
    public ChatOptions ToChatOptions(SamplingFieldNames names)
    {
        Check(Temperature is null or (>= 0 and <= 2), names.Temperature, "between 0 and 2");
        Check(TopP is null or (> 0 and <= 1), names.TopP, "greater than 0 and at most 1");
        Check(TopK is null or >= 0, names.TopK, "0 or more");
        Check(MaxOutputTokens is null or >= 1, names.MaxOutputTokens, "at least 1");
        Check(PresencePenalty is null or (>= -2 and <= 2), names.PresencePenalty, "between -2 and 2");
        Check(FrequencyPenalty is null or (>= -2 and <= 2), names.FrequencyPenalty, "between -2 and 2");
        Check(MinP is null or (>= 0 and <= 1), names.MinP, "between 0 and 1");
        Check(RepeatPenalty is null or > 0, names.RepeatPenalty, "greater than 0");
        Check(RepeatLastN is null or >= -1, names.RepeatLastN, "-1 or more");
        Check(Stop is null || Stop.All(s => !string.IsNullOrEmpty(s)), names.Stop, "non-empty strings");

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
        return options;
    }

    private static void Check(bool valid, string name, string rule)
    {
        if (!valid)
        {
            throw ApiException.BadRequest($"'{name}' must be {rule}.", name);
        }
    }
}
