namespace OffGrid.Cli.Output;

/// <summary>An operation that Ctrl+C cancels on its own, begun by <see cref="ConsoleInterrupts.BeginScope"/>.</summary>
internal sealed class InterruptScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly Action _end;

    /// <summary>Wraps a scope's token source and what ends the scope.</summary>
    public InterruptScope(CancellationTokenSource source, Action end)
    {
        _source = source;
        _end = end;
    }

    /// <summary>Cancelled by Ctrl+C during the scope, or when the outer operation is cancelled.</summary>
    public CancellationToken Token => _source.Token;

    /// <inheritdoc/>
    public void Dispose() => _end();
}
