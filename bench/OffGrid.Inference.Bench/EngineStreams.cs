using System.Diagnostics;
using System.Threading.Channels;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Bench;

/// <summary>
/// Concurrent greedy streams submitted straight to a <see cref="LlamaEngine"/>, timed from the consumers' side: the
/// prompt phase ends when the last stream has its first token; generation counts every later token of every stream.
/// </summary>
internal static class EngineStreams
{
    public static async Task<Throughput> RunAsync(LlamaEngine engine, IReadOnlyList<int[]> prompts, int outputTokens)
    {
        long started = Stopwatch.GetTimestamp();
        ChannelReader<GenerationUpdate>[] readers = prompts.Select(prompt => engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = outputTokens,
            IgnoreEndOfGeneration = true,
        })).ToArray();
        StreamTiming[] timings = await Task.WhenAll(readers.Select(ConsumeAsync)).ConfigureAwait(false);
        long promptsDone = timings.Max(t => t.FirstAt);
        long finished = timings.Max(t => t.LastAt);
        return new Throughput(
            timings.Sum(t => t.PromptTokens), Stopwatch.GetElapsedTime(started, promptsDone),
            timings.Sum(t => t.OutputTokens - t.FirstCount), Stopwatch.GetElapsedTime(promptsDone, finished), TimeSpan.Zero);
    }

    private static async Task<StreamTiming> ConsumeAsync(ChannelReader<GenerationUpdate> reader)
    {
        long firstAt = 0;
        int firstCount = 0;
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (firstAt == 0 && update.OutputTokens > 0)
            {
                (firstAt, firstCount) = (Stopwatch.GetTimestamp(), update.OutputTokens);
            }

            last = update;
        }

        return new StreamTiming(last.PromptTokens - last.CachedPromptTokens, firstAt, firstCount, Stopwatch.GetTimestamp(), last.OutputTokens);
    }

    private readonly record struct StreamTiming(int PromptTokens, long FirstAt, int FirstCount, long LastAt, int OutputTokens);
}
