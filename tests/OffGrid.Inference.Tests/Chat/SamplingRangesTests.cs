using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>The one range check of sampling settings, as hosts call it before a model loads and as the client applies it.</summary>
public sealed class SamplingRangesTests
{
    public static TheoryData<string, ChatOptions, string?> Cases => new()
    {
        { "nothing set", new ChatOptions(), null },
        { "edges", new ChatOptions { Temperature = 2, TopP = 0, TopK = 0, MaxOutputTokens = 1, FrequencyPenalty = -2, PresencePenalty = 2, AdditionalProperties = new() { [LlamaChatOptions.MinPKey] = 1.0, [LlamaChatOptions.RepeatPenaltyKey] = 10, [LlamaChatOptions.RepeatLastNKey] = -1 } }, null },
        { "temperature", new ChatOptions { Temperature = 2.01f }, "Temperature must be a number from 0 to 2; it is 2.01." },
        { "negative temperature", new ChatOptions { Temperature = -0.1f }, "Temperature must be a number from 0 to 2; it is -0.1." },
        { "NaN", new ChatOptions { Temperature = float.NaN }, "Temperature must be a number from 0 to 2; it is NaN." },
        { "top_p", new ChatOptions { TopP = 1.5f }, "TopP must be a number from 0 to 1; it is 1.5." },
        { "top_k", new ChatOptions { TopK = -1 }, "TopK must be 0 or more; it is -1." },
        { "max tokens", new ChatOptions { MaxOutputTokens = 0 }, "MaxOutputTokens must be at least 1; it is 0." },
        { "penalty", new ChatOptions { FrequencyPenalty = 2.5f }, "FrequencyPenalty must be a number from -2 to 2; it is 2.5." },
        { "stop", new ChatOptions { StopSequences = ["END", ""] }, "StopSequences must be non-empty strings." },
        { "min_p", new ChatOptions { AdditionalProperties = new() { [LlamaChatOptions.MinPKey] = 1.5 } }, "min_p must be a number from 0 to 1; it is 1.5." },
        { "zero repeat penalty", new ChatOptions { AdditionalProperties = new() { [LlamaChatOptions.RepeatPenaltyKey] = 0 } }, "repeat_penalty must be a number greater than 0 and at most 10; it is 0." },
        { "repeat window", new ChatOptions { AdditionalProperties = new() { [LlamaChatOptions.RepeatLastNKey] = 1.5 } }, "repeat_last_n must be a whole number of at least -1 (-1: the whole context); it is 1.5." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneCheckNamesTheSettingAndItsRange(string setting, ChatOptions options, string? message)
    {
        Assert.NotNull(setting);
        if (message is null)
        {
            LlamaChatOptions.ValidateSampling(options);
            return;
        }

        SamplingRangeException error = Assert.Throws<SamplingRangeException>(() => LlamaChatOptions.ValidateSampling(options));

        Assert.Equal(message, error.Message);
        Assert.StartsWith(error.ParamName + " must be " + error.Requirement, error.Message, StringComparison.Ordinal);
    }
}
