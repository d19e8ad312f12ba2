namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// How long the <see cref="ModelWorker"/> waits before starting a worker again: 0.25 s, doubling after each exit up to 10 s, and
/// back to 0.25 s once a worker has served for 30 s (a crash after a healthy run is not a crash loop).
/// </summary>
/// <remarks>Not thread-safe: one per restart loop.</remarks>
internal sealed class RestartBackoff
{
    /// <summary>The first wait, and the wait after a worker that ran for <see cref="StableRun"/>.</summary>
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    /// <summary>How long a worker must have run for its exit to start the backoff over.</summary>
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(30);

    private TimeSpan _next = First;

    /// <summary>The wait before the next start, after a worker that ran for <paramref name="ranFor"/> exited.</summary>
    public TimeSpan Next(TimeSpan ranFor)
    {
        TimeSpan wait = ranFor > StableRun ? First : _next;
        _next = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, Max.Ticks));
        return wait;
    }
}
