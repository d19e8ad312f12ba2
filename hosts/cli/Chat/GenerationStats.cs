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

    /// <summary>Whether speculative decoding was on, so that an answer with nothing drafted says so.</summary>
    public bool Speculative { get; init; }

    /// <summary>Whether the answer ended because it reached its token limit or the context's end, not because the model finished.</summary>
    public bool StoppedForLength { get; init; }

    /// <summary>The answer's token limit, when one was set.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>
    /// A one-line hint for an answer cut off by <see cref="StoppedForLength"/>, naming the option that raises the limit;
    /// <see langword="null"/> when the model finished its answer.
    /// </summary>
    public string? LengthHint => !StoppedForLength ? null
        : MaxOutputTokens is { } limit && OutputTokens >= limit ? string.Create(CultureInfo.InvariantCulture, $"stopped at --max-tokens {limit}; raise it with -n")
        : "stopped at the end of the context; raise it with --ctx";

    /// <summary>Reads the figures from <paramref name="response"/>; <see langword="null"/> when the client reported no usage.</summary>
    /// <param name="response">The answer.</param>
    /// <param name="options">The options it was asked with (for the token limit).</param>
    /// <param name="speculative">Whether speculative decoding was on.</param>
    public static GenerationStats? From(ChatResponse response, ChatOptions options, bool speculative)
    {
        if (response.Usage is not { } usage)
        {
            return null;
        }

        long prompt = usage.InputTokenCount ?? 0;
        long output = usage.OutputTokenCount ?? 0;
        long cached = usage.CachedInputTokenCount ?? 0;
        return new GenerationStats(
            prompt,
            output,
            // Cached tokens were restored, not evaluated: counting them would make the rate a multiple of the real one.
            Rate(prompt - cached, usage, LlamaChatOptions.PromptEvalDurationKey),
            Rate(output, usage, LlamaChatOptions.EvalDurationKey))
        {
            CachedPromptTokens = cached,
            Drafts = (Count(usage, LlamaChatOptions.DraftTokensKey), Count(usage, LlamaChatOptions.AcceptedDraftTokensKey)),
            Speculative = speculative,
            StoppedForLength = response.FinishReason == ChatFinishReason.Length,
            MaxOutputTokens = options.MaxOutputTokens,
        };
    }

    /// <summary>
    /// A one-line summary such as <c>64 tokens, 212.4 tokens/s (prompt 12 tokens, 950.1 tokens/s)</c>; with a cache hit
    /// the brackets read <c>prompt 52 tokens: 40 cached, 12 evaluated at 950.1 tokens/s</c>, and
    /// <c>; 30 of 52 drafted tokens accepted</c> follows them when speculative decoding was on.
    /// </summary>
    public override string ToString()
    {
        string prompt = CachedPromptTokens > 0
            ? string.Create(CultureInfo.InvariantCulture, $"prompt {PromptTokens} tokens: {CachedPromptTokens} cached, {PromptTokens - CachedPromptTokens} evaluated at {Format(PromptTokensPerSecond)} tokens/s")
            : string.Create(CultureInfo.InvariantCulture, $"prompt {PromptTokens} tokens, {Format(PromptTokensPerSecond)} tokens/s");
        string drafts = Speculative || Drafts.Drafted > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Drafts.Accepted} of {Drafts.Drafted} drafted tokens accepted") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{OutputTokens} tokens, {Format(TokensPerSecond)} tokens/s ({prompt}){drafts}");
    }

    private static long Count(UsageDetails usage, string key) => usage.AdditionalCounts?.TryGetValue(key, out long count) == true ? count : 0;

    private static double? Rate(long tokens, UsageDetails usage, string durationKey) =>
        usage.AdditionalCounts?.TryGetValue(durationKey, out long nanoseconds) == true && nanoseconds > 0 && tokens > 0
            ? tokens / (nanoseconds / 1e9)
            : null;

    private static string Format(double? rate) => rate?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
