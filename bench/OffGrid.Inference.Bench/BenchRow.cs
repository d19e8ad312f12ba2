namespace OffGrid.Inference.Bench;

/// <summary>One line of the results table.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Path">What was measured (chat client, engine, plain C-API loop).</param>
/// <param name="Streams">Concurrent streams.</param>
/// <param name="Prompt">Prompt tokens per second (aggregate).</param>
/// <param name="Generation">Generation tokens per second (aggregate).</param>
/// <param name="StepMilliseconds">Mean wall time of one generation step.</param>
/// <param name="CpuMicrosecondsPerToken">Mean process CPU time of a run per generated token.</param>
/// <param name="Load">The 1-minute load average when the row's phase started.</param>
/// <param name="Ratio">Generation throughput relative to the plain loop it is compared with, if any.</param>
/// <param name="Target">The least ratio that meets the target, if any.</param>
internal sealed record BenchRow(
    string Model, string Path, int Streams, Summary Prompt, Summary Generation, double StepMilliseconds, double CpuMicrosecondsPerToken, double Load, double? Ratio = null, double? Target = null)
{
    public string Verdict => Ratio is { } ratio && Target is { } target ? (ratio >= target ? "met" : "NOT met") : string.Empty;
}
