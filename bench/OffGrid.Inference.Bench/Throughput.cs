namespace OffGrid.Inference.Bench;

/// <summary>
/// One measured run: prompt tokens evaluated and the time until every stream had its first answer token, then
/// the tokens generated after that and the time they took (aggregate over all streams), and the CPU time the whole
/// process used for the run. CPU time per token shows per-token overhead even on a loaded machine, where wall times
/// mostly show what share of the cores the run got.
/// </summary>
internal readonly record struct Throughput(int PromptTokens, TimeSpan PromptTime, int GeneratedTokens, TimeSpan GenerationTime, TimeSpan CpuTime)
{
    public double PromptTokensPerSecond => PromptTokens / PromptTime.TotalSeconds;

    public double GenerationTokensPerSecond => GeneratedTokens / GenerationTime.TotalSeconds;

    /// <summary>Process CPU time of the whole run (prompt included) per generated token.</summary>
    public TimeSpan CpuPerToken => CpuTime / GeneratedTokens;

    /// <summary>Mean wall time of one generation step (one token of every stream).</summary>
    public TimeSpan StepTime(int streams) => GenerationTime * streams / GeneratedTokens;
}
