using System.Threading.Channels;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Tests.Engine;

/// <summary>Runs one request on a real engine and returns its text and last update.</summary>
internal static class EngineRuns
{
    /// <summary>A story that repeats itself, so its continuation can be looked up in the prompt.</summary>
    public const string RepeatingStory =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. " +
        "One day, Lily saw a big red ball. She ran to get it and played with it all day. " +
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. " +
        "One day, Lily saw a big red ball.";

    public static async Task<(string Text, GenerationUpdate Last)> GreedyAsync(LlamaEngine engine, int[] prompt, int maxTokens, CancellationToken cancellationToken)
    {
        ChannelReader<GenerationUpdate> reader = engine.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParameters { Temperature = 0 },
            MaxOutputTokens = maxTokens,
            CancellationToken = cancellationToken,
        });
        var text = new System.Text.StringBuilder();
        GenerationUpdate last = default;
        await foreach (GenerationUpdate update in reader.ReadAllAsync(cancellationToken))
        {
            text.Append(update.Text);
            last = update;
        }

        return (text.ToString(), last);
    }

    public static int[] Tokenize(LlamaModel model, string text) => model.Tokenize(text, addSpecial: true, parseSpecial: false);
}
