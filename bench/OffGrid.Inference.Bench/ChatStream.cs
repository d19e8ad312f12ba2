using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Bench;

/// <summary>One streaming, raw-prompt, greedy request through an <see cref="IChatClient"/>, timed by the usage it reports.</summary>
internal static class ChatStream
{
    public static async Task<Throughput> RunAsync(IChatClient client, string prompt, int maxOutputTokens)
    {
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = maxOutputTokens,
            AdditionalProperties = new AdditionalPropertiesDictionary { [LlamaChatOptions.RawPromptKey] = true },
        };
        UsageDetails? usage = null;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompt)], options).ConfigureAwait(false))
        {
            usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
        }

        if (usage?.AdditionalCounts is not { } counts)
        {
            throw new InvalidOperationException("The streamed response carried no usage.");
        }

        return new Throughput(
            (int)(usage.InputTokenCount!.Value - (usage.CachedInputTokenCount ?? 0)),
            TimeSpan.FromTicks(counts[LlamaChatOptions.PromptEvalDurationKey] / 100),
            (int)usage.OutputTokenCount!.Value - 1,
            TimeSpan.FromTicks(counts[LlamaChatOptions.EvalDurationKey] / 100),
            TimeSpan.Zero);
    }
}
