namespace OffGrid.Inference.Benchmarking;

/// <summary>One measured run of <see cref="LlamaBenchmark"/>.</summary>
/// <param name="Iteration">The run number, from 1.</param>
/// <param name="PromptTokens">Prompt tokens evaluated (all streams).</param>
/// <param name="OutputTokens">Tokens generated (all streams).</param>
/// <param name="PromptDuration">Time from the first stream's admission until every stream sampled its first token, as the engine timed it.</param>
/// <param name="Total">Time from the first stream's admission until the last stream finished, as the engine timed it.</param>
/// <param name="PromptTokensPerSecond">Prompt evaluation throughput.</param>
/// <param name="GenerationTokensPerSecond">
/// Generation throughput (aggregate over streams) of the tokens after each stream's first, which is sampled from the
/// prompt's logits; <see langword="null"/> with one output token per stream, where there is no generation to time.
/// </param>
public sealed record LlamaBenchmarkRun(
    int Iteration, int PromptTokens, int OutputTokens, TimeSpan PromptDuration, TimeSpan Total, double PromptTokensPerSecond, double? GenerationTokensPerSecond);
