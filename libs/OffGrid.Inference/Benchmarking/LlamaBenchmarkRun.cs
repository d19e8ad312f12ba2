namespace OffGrid.Inference.Benchmarking;

/// <summary>One measured run of <see cref="LlamaBenchmark"/>.</summary>
/// <param name="Iteration">The run number, from 1.</param>
/// <param name="PromptTokens">Prompt tokens evaluated (all streams).</param>
/// <param name="OutputTokens">Tokens generated (all streams).</param>
/// <param name="PromptDuration">Time until every stream's prompt was evaluated.</param>
/// <param name="Total">Wall time of the run.</param>
/// <param name="PromptTokensPerSecond">Prompt evaluation throughput.</param>
/// <param name="GenerationTokensPerSecond">Generation throughput (aggregate over streams).</param>
public sealed record LlamaBenchmarkRun(
    int Iteration, int PromptTokens, int OutputTokens, TimeSpan PromptDuration, TimeSpan Total, double PromptTokensPerSecond, double GenerationTokensPerSecond);
