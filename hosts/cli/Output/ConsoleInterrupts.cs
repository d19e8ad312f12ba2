namespace OffGrid.Cli.Output;

/// <summary>
/// Routes Ctrl+C to the innermost running operation: the whole command by default, or just the current answer
/// while an interactive chat generates one (so Ctrl+C stops the answer without leaving the chat).
/// </summary>
/// <remarks>Thread-safe: the handler runs on a signal thread while scopes begin and end on the command's thread.</remarks>
internal sealed class ConsoleInterrupts : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stack<CancellationTokenSource> _scopes = new();
    private readonly CancellationTokenSource _command = new();

    /// <summary>Starts listening for Ctrl+C.</summary>
    public ConsoleInterrupts()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>Cancelled by Ctrl+C while no narrower scope is active.</summary>
    public CancellationToken CommandToken => _command.Token;

    /// <summary>Begins a scope whose token the next Ctrl+C cancels instead of the command's; dispose it to end the scope.</summary>
    public InterruptScope BeginScope(CancellationToken outer)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        lock (_gate)
        {
            _scopes.Push(source);
        }

        return new InterruptScope(source, () => EndScope(source));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _command.Dispose();
    }

    private void EndScope(CancellationTokenSource source)
    {
        lock (_gate)
        {
            if (_scopes.TryPeek(out CancellationTokenSource? top) && top == source)
            {
                _scopes.Pop();
            }
        }

        source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Keep the process alive: the cancelled operation unwinds, cleans up (partial downloads are kept) and exits.
        e.Cancel = true;
        lock (_gate)
        {
            (_scopes.TryPeek(out CancellationTokenSource? scope) ? scope : _command).Cancel();
        }
    }
}
