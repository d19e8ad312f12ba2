using OffGrid.Hub.Downloads;
using Spectre.Console;

namespace OffGrid.Cli.Output;

/// <summary>
/// Shows a download on standard error: a progress bar with size, speed and time left on a terminal, one line
/// otherwise. Nothing is shown for an operation that downloads nothing (an installed runtime, a stored model).
/// </summary>
/// <remarks>Thread-safe: downloads report progress from their own threads.</remarks>
internal sealed class TransferProgress : IProgress<DownloadProgress>
{
    private readonly Lock _gate = new();
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _context;
    private string _description;
    private ProgressTask? _task;

    private TransferProgress(IAnsiConsole console, ProgressContext? context, string description)
    {
        _console = console;
        _context = context;
        _description = description;
    }

    /// <summary>Runs <paramref name="operation"/> with a display that appears on the first progress report.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, Func<TransferProgress, Task<T>> operation)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await operation(new TransferProgress(console, null, description)).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(context => operation(new TransferProgress(console, context, description)))
            .ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Report(DownloadProgress value) => Report(value.BytesReceived, value.TotalBytes);

    /// <summary>Reports bytes received so far and, when known, the total.</summary>
    public void Report(long bytesReceived, long? totalBytes)
    {
        lock (_gate)
        {
            if (_context is null)
            {
                if (_task is null && _description.Length > 0)
                {
                    _console.MarkupLineInterpolated($"[grey]{_description}{(totalBytes is { } t ? $" ({ByteSize.Format(t)})" : string.Empty)}...[/]");
                    _description = string.Empty;
                }

                return;
            }

            _task ??= _context.AddTask(Markup.Escape(_description), autoStart: true, maxValue: Math.Max(1, totalBytes ?? 1));
            _task.IsIndeterminate = totalBytes is null;
            if (totalBytes is { } total)
            {
                _task.MaxValue = Math.Max(1, total);
            }

            _task.Value = bytesReceived;
        }
    }

    /// <summary>Starts a new line in the display for the next file (for models split into several files).</summary>
    public void StartFile(string description)
    {
        lock (_gate)
        {
            _task?.StopTask();
            _task = null;
            _description = description;
        }
    }
}
