using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Cli.Chat;

/// <summary>Token counts and speeds of one answer, read from the usage the chat client reports.</summary>
internal sealed record GenerationStats(long PromptTokens, long OutputTokens, double? PromptTokensPerSecond, double? TokensPerSecond)
{
    /// <summary>Prompt tokens that came from the cache instead of being evaluated.</summary>
    public long CachedPromptTokens { get; init; }

    /// <summary>Tokens drafted by speculative decoding (0 without it), and how many of them were accepted.</summary>
    public (long Drafted, long Accepted) Drafts { get; init; }

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
            Rate(output, usage, LlamaChatOptions.EvalDurationKey))
        {
            CachedPromptTokens = usage.CachedInputTokenCount ?? 0,
            Drafts = (Count(usage, LlamaChatOptions.DraftTokensKey), Count(usage, LlamaChatOptions.AcceptedDraftTokensKey)),
        };
    }

    /// <summary>
    /// A one-line summary such as <c>64 tokens, 212.4 tokens/s (prompt 12 tokens, 950.1 tokens/s)</c>, with
    /// <c>, 40 cached</c> inside the brackets and <c>; 30 of 52 drafted tokens accepted</c> after them when they apply.
    /// </summary>
    public override string ToString()
    {
        string cached = CachedPromptTokens > 0 ? string.Create(CultureInfo.InvariantCulture, $", {CachedPromptTokens} cached") : "";
        string drafts = Drafts.Drafted > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Drafts.Accepted} of {Drafts.Drafted} drafted tokens accepted") : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{OutputTokens} tokens, {Format(TokensPerSecond)} tokens/s (prompt {PromptTokens} tokens{cached}, {Format(PromptTokensPerSecond)} tokens/s){drafts}");
    }

    private static long Count(UsageDetails usage, string key) => usage.AdditionalCounts?.TryGetValue(key, out long count) == true ? count : 0;

    private static double? Rate(long tokens, UsageDetails usage, string durationKey) =>
        usage.AdditionalCounts?.TryGetValue(durationKey, out long nanoseconds) == true && nanoseconds > 0 && tokens > 0
            ? tokens / (nanoseconds / 1e9)
            : null;

    private static string Format(double? rate) => rate?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
