using System.Collections.Concurrent;
using RadLine;

namespace OffGrid.Cli.Chat;

/// <summary>
/// The keys the line editor reads: first those typed while an answer was written (read then, so that they are neither
/// echoed into the answer nor lost), then the terminal's.
/// </summary>
/// <remarks>Thread-safe: keys typed ahead are collected on a worker while the answer streams.</remarks>
internal sealed class TerminalKeys : IInputSource
{
    private readonly ConcurrentQueue<ConsoleKeyInfo> _typedAhead = new();

    /// <inheritdoc/>
    public bool ByPassProcessing => true;

    /// <inheritdoc/>
    public bool IsKeyAvailable() => !_typedAhead.IsEmpty || Console.KeyAvailable;

    /// <inheritdoc/>
    public ConsoleKeyInfo ReadKey() => _typedAhead.TryDequeue(out ConsoleKeyInfo key) ? key : Console.ReadKey(intercept: true);

    /// <summary>Collects typed keys until the returned object is disposed.</summary>
    public IAsyncDisposable CollectTypedAhead() => new Collector(this);

    private sealed class Collector : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Collector(TerminalKeys keys)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    if (Console.KeyAvailable)
                    {
                        keys._typedAhead.Enqueue(Console.ReadKey(intercept: true));
                    }
                    else
                    {
                        await Task.Delay(15, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
