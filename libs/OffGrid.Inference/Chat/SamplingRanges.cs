using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Chat;

/// <summary>
/// The one range check of the sampling settings a <see cref="ChatOptions"/> carries, shared by <see cref="LlamaChatClient"/>
/// and, through <see cref="LlamaChatOptions.ValidateSampling"/>, by hosts that refuse a request before loading a model.
/// The ranges are OpenAI's where it has the setting and llama.cpp's otherwise; beyond them samplers misbehave silently
/// (a division by a zero penalty, a NaN temperature, an empty stop sequence that ends every answer at once).
/// </summary>
internal static class SamplingRanges
{
    /// <summary>Reads the settings over <paramref name="defaults"/>.</summary>
    /// <exception cref="SamplingRangeException">The first setting out of range.</exception>
    /// <exception cref="InvalidRequestException">An OffGrid option is not a number.</exception>
    public static SamplingParameters Read(ChatOptions? options, SamplingParameters defaults)
    {
        if (options is null)
        {
            return defaults;
        }

        if (options.MaxOutputTokens is <= 0 and var max)
        {
            throw new SamplingRangeException(nameof(ChatOptions.MaxOutputTokens), "at least 1", max);
        }

        if (options.StopSequences?.Any(string.IsNullOrEmpty) == true)
        {
            throw new SamplingRangeException(nameof(ChatOptions.StopSequences), "non-empty strings", null);
        }

        float repeatLastN = ReadFloat(options, LlamaChatOptions.RepeatLastNKey) ?? defaults.RepeatLastN;
        return defaults with
        {
            Temperature = InRange(options.Temperature, 0, 2, nameof(ChatOptions.Temperature)) ?? defaults.Temperature,
            TopP = InRange(options.TopP, 0, 1, nameof(ChatOptions.TopP)) ?? defaults.TopP,
            TopK = options.TopK is < 0 and var topK ? throw new SamplingRangeException(nameof(ChatOptions.TopK), "0 or more", topK) : options.TopK ?? defaults.TopK,
            Seed = options.Seed is { } seed ? unchecked((uint)seed) : defaults.Seed,
            FrequencyPenalty = InRange(options.FrequencyPenalty, -2, 2, nameof(ChatOptions.FrequencyPenalty)) ?? 0,
            PresencePenalty = InRange(options.PresencePenalty, -2, 2, nameof(ChatOptions.PresencePenalty)) ?? 0,
            MinP = InRange(ReadFloat(options, LlamaChatOptions.MinPKey), 0, 1, LlamaChatOptions.MinPKey) ?? defaults.MinP,
            RepeatPenalty = ReadFloat(options, LlamaChatOptions.RepeatPenaltyKey) is { } penalty
                ? penalty is > 0 and <= 10 ? penalty : throw new SamplingRangeException(LlamaChatOptions.RepeatPenaltyKey, "a number greater than 0 and at most 10", penalty)
                : defaults.RepeatPenalty,
            RepeatLastN = repeatLastN is >= -1 and <= int.MaxValue && repeatLastN == MathF.Floor(repeatLastN)
                ? (int)repeatLastN
                : throw new SamplingRangeException(LlamaChatOptions.RepeatLastNKey, "a whole number of at least -1 (-1: the whole context)", repeatLastN),
        };
    }

    private static float? InRange(float? value, float min, float max, string name) =>
        value is { } v && !(v >= min && v <= max)
            ? throw new SamplingRangeException(name, FormattableString.Invariant($"a number from {min} to {max}"), v)
            : value;

    private static float? ReadFloat(ChatOptions options, string key) =>
        options.AdditionalProperties?.TryGetValue(key, out object? value) == true
            ? value switch
            {
                null => null,
                float f => f,
                double d => (float)d,
                int i => i,
                long l => l,
                decimal m => (float)m,
                JsonElement { ValueKind: JsonValueKind.Number } e => e.GetSingle(),
                string s when float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) => parsed,
                _ => throw new InvalidRequestException($"The chat option '{key}' must be a number.", key),
            }
            : null;
}
