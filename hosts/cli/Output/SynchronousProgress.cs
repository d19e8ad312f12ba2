namespace OffGrid.Cli.Output;

/// <summary>
/// An <see cref="IProgress{T}"/> that handles each report at once on the reporting thread, unlike
/// <see cref="Progress{T}"/>, which posts reports to the thread pool where they can arrive after the operation ends.
/// </summary>
internal sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Wraps <paramref name="handler"/>.</summary>
    public SynchronousProgress(Action<T> handler)
    {
        _handler = handler;
    }

    /// <inheritdoc/>
    public void Report(T value) => _handler(value);
}
