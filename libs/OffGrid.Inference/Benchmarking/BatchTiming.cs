using System.Diagnostics;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Benchmarking;

/// <summary>
/// How long streams run together took, from the engine's own timestamps on their last updates: the prompt phase runs
/// from the first admission until the last stream sampled its first token; generation from there until the last
/// stream finished, and counts every token after each stream's first (the first is sampled from the prompt's logits).
/// A reader that gets queued updates in a burst would time a phase as taking no time at all, so nothing is timed where
/// the updates are read.
/// </summary>
/// <param name="PromptTokens">Prompt tokens evaluated (not restored from the cache), all streams.</param>
/// <param name="PromptDuration">The prompt phase.</param>
/// <param name="GeneratedTokens">Tokens generated after each stream's first, all streams.</param>
/// <param name="GenerationDuration">The generation phase.</param>
internal readonly record struct BatchTiming(int PromptTokens, TimeSpan PromptDuration, int GeneratedTokens, TimeSpan GenerationDuration)
{
    /// <summary>Prompt tokens per second.</summary>
    public double PromptTokensPerSecond => PromptTokens / Math.Max(PromptDuration.TotalSeconds, 1e-9);

    /// <summary>Generated tokens per second (aggregate), or <see langword="null"/> when every stream produced one token only.</summary>
    public double? GenerationTokensPerSecond => GeneratedTokens == 0 ? null : GeneratedTokens / Math.Max(GenerationDuration.TotalSeconds, 1e-9);

    /// <summary>The timing of streams that ran together.</summary>
    /// <param name="finals">The last update of each stream (the one with <see cref="GenerationUpdate.Finish"/>).</param>
    public static BatchTiming Of(IReadOnlyCollection<GenerationUpdate> finals)
    {
        long promptsDone = finals.Max(f => f.FirstTokenAt);
        return new BatchTiming(
            finals.Sum(f => f.PromptTokens - f.CachedPromptTokens),
            Stopwatch.GetElapsedTime(finals.Min(f => f.AdmittedAt), promptsDone),
            finals.Sum(f => Math.Max(0, f.OutputTokens - 1)),
            Stopwatch.GetElapsedTime(promptsDone, finals.Max(f => f.FinishedAt)));
    }
}
