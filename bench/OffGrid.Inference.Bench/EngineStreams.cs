using System.Threading.Channels;
using OffGrid.Inference.Benchmarking;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Bench;

/// <summary>
/// Concurrent greedy streams submitted straight to a <see cref="LlamaEngine"/>, timed by the engine as
/// <see cref="LlamaBenchmark"/> times them (<see cref="BatchTiming"/>): the prompt phase ends when the last stream has
/// its first token; generation counts every later token of every stream.
/// </summary>
internal static class EngineStreams
{
    public static async Task<Throughput> RunAsync(LlamaEngine engine, IReadOnlyList<int[]> prompts, int outputTokens)
    {
        GenerationUpdate[] finals = await Task.WhenAll(prompts.Select(prompt => LastAsync(engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = outputTokens,
            IgnoreEndOfGeneration = true,
        })))).ConfigureAwait(false);
        BatchTiming timing = BatchTiming.Of(finals);
        return new Throughput(timing.PromptTokens, timing.PromptDuration, timing.GeneratedTokens, timing.GenerationDuration, TimeSpan.Zero);
    }

    private static async Task<GenerationUpdate> LastAsync(ChannelReader<GenerationUpdate> reader)
    {
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in reader.ReadAllAsync().ConfigureAwait(false))
        {
            last = update;
        }

        return last;
    }
}
