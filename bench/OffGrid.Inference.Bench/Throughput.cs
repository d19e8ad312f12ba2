namespace OffGrid.Inference.Bench;

/// <summary>
/// One measured run: prompt tokens evaluated and the time until every stream had its first answer token, then
/// the tokens generated after that and the time they took (aggregate over all streams).
/// </summary>
internal readonly record struct Throughput(int PromptTokens, TimeSpan PromptTime, int GeneratedTokens, TimeSpan GenerationTime)
{
    public double PromptTokensPerSecond => PromptTokens / PromptTime.TotalSeconds;

    public double GenerationTokensPerSecond => GeneratedTokens / GenerationTime.TotalSeconds;

    /// <summary>Mean wall time of one generation step (one token of every stream).</summary>
    public TimeSpan StepTime(int streams) => GenerationTime * streams / GeneratedTokens;
}
