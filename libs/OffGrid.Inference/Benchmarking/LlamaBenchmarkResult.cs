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

    /// <summary>Mean generation tokens per second over the runs; <see langword="null"/> with one output token per stream (<see cref="LlamaBenchmarkRun.GenerationTokensPerSecond"/>).</summary>
    public double? GenerationTokensPerSecond => Runs.Average(r => r.GenerationTokensPerSecond);

    /// <summary>The spread above which runs disagree too much to trust their mean (20 %).</summary>
    public const double NoisySpread = 0.2;

    /// <summary>
    /// How much generation speed varied between runs: (fastest − slowest) / slowest, 0 for one run or without a
    /// generation speed. Above <see cref="NoisySpread"/> another process was most likely competing for the CPU.
    /// </summary>
    public double GenerationSpread => Runs.Count(r => r.GenerationTokensPerSecond is not null) < 2 ? 0 : (Runs.Max(r => r.GenerationTokensPerSecond)!.Value / Runs.Min(r => r.GenerationTokensPerSecond)!.Value) - 1;

    /// <summary>Total time of the runs, as the engine timed them.</summary>
    public TimeSpan Total => TimeSpan.FromTicks(Runs.Sum(r => r.Total.Ticks));
}
