using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace OffGrid.Cli.Output;

/// <summary>
/// Shows the warnings OffGrid's libraries log (a Hub that does not answer and is retried, a search served from the
/// cache while offline) as grey lines on standard error, so that a user who waits sees why. Nothing else is shown:
/// information and debug messages, and every framework category, stay out of the terminal.
/// </summary>
/// <remarks>Thread-safe: retries are logged from the threads that run them.</remarks>
internal sealed class ConsoleNotices : ILoggerProvider
{
    private readonly IAnsiConsole _console;

    /// <summary>Writes notices to <paramref name="console"/> (standard error).</summary>
    public ConsoleNotices(IAnsiConsole console)
    {
        _console = console;
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("OffGrid.", StringComparison.Ordinal) ? new Notices(_console) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Notices(IAnsiConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                console.MarkupLineInterpolated($"[grey]{formatter(state, exception)}[/]");
            }
        }
    }
}
