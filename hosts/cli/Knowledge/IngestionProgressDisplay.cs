using OffGrid.Cli.Output;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Ingestion;
using Spectre.Console;

namespace OffGrid.Cli.Knowledge;

/// <summary>
/// Shows an ingestion job on standard error until it ends: a progress bar with files, chunks, size and time left on a
/// terminal, otherwise one line per finished document.
/// </summary>
internal static class IngestionProgressDisplay
{
    public static async Task ShowAsync(IAnsiConsole console, IngestionJob job)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            int shown = 0;
            await foreach (IngestionJobProgress progress in job.WatchAsync().ConfigureAwait(false))
            {
                IReadOnlyList<IngestionResult> results = job.Results;
                for (; shown < results.Count; shown++)
                {
                    IngestionResult result = results[shown];
                    console.MarkupLineInterpolated($"[grey][[{shown + 1}/{job.DocumentsTotal}]] {Path.GetFileName(result.Source)}: {result.Status.ToString().ToLowerInvariant()}, {result.ChunkCount} chunks[/]");
                }
            }

            return;
        }

        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask("Ingesting", maxValue: Math.Max(1, job.DocumentsTotal));
                await foreach (IngestionJobProgress progress in job.WatchAsync().ConfigureAwait(false))
                {
                    task.Value = progress.DocumentsCompleted;
                    task.Description = Markup.Escape(
                        $"{progress.DocumentsCompleted}/{progress.DocumentsTotal} files, {progress.Chunks} chunks, {ByteSize.Format(progress.BytesCompleted)}" +
                        (progress.DocumentsFailed > 0 ? $", {progress.DocumentsFailed} failed" : string.Empty) +
                        (progress.EstimatedRemaining is { } eta && progress.Status == IngestionJobStatus.Running ? $", ETA {eta:hh\\:mm\\:ss}" : string.Empty));
                    await Task.Delay(100).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
    }
}
