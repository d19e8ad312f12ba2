using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using Spectre.Console;

namespace OffGrid.Cli.Output;

/// <summary>
/// Shows a download on standard error: a progress bar that fits the terminal's width, with size, speed and time left,
/// replaced by one summary line when done; one line before the download otherwise. Nothing is shown for an operation
/// that downloads nothing (an installed runtime, a stored model).
/// </summary>
/// <remarks>Thread-safe: downloads report progress from their own threads.</remarks>
internal sealed class TransferProgress : IProgress<DownloadProgress>, IProgress<PullProgress>
{
    /// <summary>The message of a download stopped by Ctrl+C.</summary>
    public const string CancelledMessage = "Cancelled; the partial download is kept and the next attempt resumes it.";

    private readonly Lock _gate = new();
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _context;
    private readonly string _description;
    private bool _started;
    private long? _totalBytes;
    private ProgressTask? _task;

    private TransferProgress(IAnsiConsole console, ProgressContext? context, string description)
    {
        _console = console;
        _context = context;
        _description = description;
    }

    /// <summary>Runs <paramref name="operation"/> with a display that appears on the first bytes received.</summary>
    /// <param name="console">Standard error.</param>
    /// <param name="description">What is downloaded, such as <c>Pulling llama3.2</c>.</param>
    /// <param name="operation">The download, reporting to the display it is given.</param>
    /// <param name="summary">The line left when something was downloaded, from the result and its size in bytes.</param>
    /// <exception cref="OperationCanceledException">Cancelled; after bytes were received, with <see cref="CancelledMessage"/>.</exception>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, Func<TransferProgress, Task<T>> operation, Func<T, long?, string>? summary = null)
    {
        TransferProgress? display = null;
        try
        {
            T result;
            if (!console.Profile.Capabilities.Interactive)
            {
                display = new TransferProgress(console, null, description);
                result = await operation(display).ConfigureAwait(false);
            }
            else
            {
                int width = console.Profile.Width;
                string shown = description.Length > width / 3 ? description[..Math.Max(1, (width / 3) - 1)] + "…" : description;

                // Percentage, "11.0/11.0 MB", speed and time left take about 45 columns; the bar gets what remains.
                bool narrow = width < 70;
                var columns = new List<ProgressColumn> { new TaskDescriptionColumn(), new ProgressBarColumn { Width = Math.Max(5, width - shown.Length - (narrow ? 24 : 48)) }, new PercentageColumn() };
                columns.AddRange(narrow ? [new DownloadedColumn()] : [new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn()]);
                result = await console.Progress()
                    .AutoClear(true)
                    .Columns([.. columns])
                    .StartAsync(context => operation(display = new TransferProgress(console, context, shown)))
                    .ConfigureAwait(false);
            }

            if (display is { _started: true } && summary is not null)
            {
                // One logical line: Spectre would break it at the width; the terminal wraps it if it must.
                console.Profile.Out.Writer.WriteLine(summary(result, display._totalBytes));
            }

            return result;
        }
        catch (OperationCanceledException ex) when (display is { _started: true })
        {
            throw new OperationCanceledException(CancelledMessage, ex, ex.CancellationToken);
        }
    }

    /// <inheritdoc/>
    public void Report(DownloadProgress value) => Report(value.BytesReceived, value.TotalBytes);

    /// <inheritdoc/>
    public void Report(PullProgress value)
    {
        if (value.Status == PullStatus.Downloading)
        {
            Report(value.BytesReceived, value.TotalBytes);
        }
    }

    private void Report(long bytesReceived, long? totalBytes)
    {
        lock (_gate)
        {
            if (_context is null)
            {
                if (!_started)
                {
                    _console.MarkupLineInterpolated($"[grey]{_description}{(totalBytes is { } t ? $" ({ByteSize.Format(t)})" : string.Empty)}...[/]");
                }
            }
            else
            {
                _task ??= _context.AddTask(Markup.Escape(_description), autoStart: true, maxValue: Math.Max(1, totalBytes ?? 1));
                _task.IsIndeterminate = totalBytes is null;
                _task.MaxValue = Math.Max(1, totalBytes ?? 1);
                _task.Value = bytesReceived;
            }

            _started = true;
            _totalBytes = totalBytes ?? _totalBytes;
        }
    }
}
