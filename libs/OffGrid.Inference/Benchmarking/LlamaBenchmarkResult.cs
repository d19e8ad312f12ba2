namespace OffGrid.Inference.Benchmarking;

/// <summary>The outcome of <see cref="LlamaBenchmark.RunAsync"/>.</summary>
/// <param name="ModelId">The model measured.</param>
/// <param name="Options">What was measured.</param>
/// <param name="Runs">Every measured run.</param>
/// <param name="ModelSizeBytes">The size of the weights.</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set after the runs.</param>
public sealed record LlamaBenchmarkResult(string ModelId, LlamaBenchmarkOptions Options, IReadOnlyList<LlamaBenchmarkRun> Runs, long ModelSizeBytes, long PeakWorkingSetBytes)
{
    /// <summary>Mean prompt tokens per second over the runs.</summary>
    public double PromptTokensPerSecond => Runs.Average(r => r.PromptTokensPerSecond);

    /// <summary>Mean generation tokens per second over the runs.</summary>
    public double GenerationTokensPerSecond => Runs.Average(r => r.GenerationTokensPerSecond);

    /// <summary>Total wall time of the runs.</summary>
    public TimeSpan Total => TimeSpan.FromTicks(Runs.Sum(r => r.Total.Ticks));
}
