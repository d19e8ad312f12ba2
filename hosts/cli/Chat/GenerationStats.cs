using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Cli.Chat;

/// <summary>Token counts and speeds of one answer, read from the usage the chat client reports.</summary>
internal sealed record GenerationStats(long PromptTokens, long OutputTokens, double? PromptTokensPerSecond, double? TokensPerSecond)
{
    /// <summary>Reads the figures from <paramref name="usage"/>; <see langword="null"/> when the client reported none.</summary>
    public static GenerationStats? From(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        long prompt = usage.InputTokenCount ?? 0;
        long output = usage.OutputTokenCount ?? 0;
        return new GenerationStats(
            prompt,
            output,
            Rate(prompt, usage, LlamaChatOptions.PromptEvalDurationKey),
            Rate(output, usage, LlamaChatOptions.EvalDurationKey));
    }

    /// <summary>A one-line summary such as <c>64 tokens, 212.4 tokens/s (prompt 12 tokens, 950.1 tokens/s)</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{OutputTokens} tokens, {Format(TokensPerSecond)} tokens/s (prompt {PromptTokens} tokens, {Format(PromptTokensPerSecond)} tokens/s)");

    private static double? Rate(long tokens, UsageDetails usage, string durationKey) =>
        usage.AdditionalCounts?.TryGetValue(durationKey, out long nanoseconds) == true && nanoseconds > 0 && tokens > 0
            ? tokens / (nanoseconds / 1e9)
            : null;

    private static string Format(double? rate) => rate?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
