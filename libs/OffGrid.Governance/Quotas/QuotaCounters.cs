namespace OffGrid.Governance.Quotas;

/// <summary>
/// One user's live counters in this process: start times of the calls in the last minute (a sliding log, so the reset time
/// of a refusal is exact), calls running now, and today's token count (loaded from the usage table at the first call of a day).
/// </summary>
/// <remarks>
/// Hand-written rather than System.Threading.RateLimiting: its window limiters report only the window length as
/// <c>RetryAfter</c>, not when the oldest call leaves the window, and <c>Retry-After</c>/<c>ResetAt</c> must be exact.
/// Thread-safe: every member takes the instance lock.
/// </remarks>
internal sealed class QuotaCounters
{
    private static readonly TimeSpan s_minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_concurrencyRetry = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _recent = new();
    private DateOnly _day;
    private long _tokensToday;
    private int _active;

    public bool HasDay(DateOnly day)
    {
        lock (_gate)
        {
            return _day == day;
        }
    }

    /// <summary>Starts counting <paramref name="day"/> from the persisted total, unless another call already did.</summary>
    public void BeginDay(DateOnly day, long persistedTokens)
    {
        lock (_gate)
        {
            if (_day != day)
            {
                _day = day;
                _tokensToday = persistedTokens;
            }
        }
    }

    /// <summary>
    /// Admits a call (counting it) or returns the refusal. A <paramref name="nested"/> call shares an admitted call's request and
    /// concurrency slot, so only the daily tokens are checked.
    /// </summary>
    public QuotaExceededException? TryAdmit(string userName, QuotaLimits limits, DateTimeOffset now, bool nested = false)
    {
        lock (_gate)
        {
            Trim(now);
            if (limits.TokensPerDay is long tokens && _tokensToday >= tokens)
            {
                DateTimeOffset midnight = new(_day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                return new QuotaExceededException(userName, QuotaKind.TokensPerDay, tokens, midnight, now);
            }

            if (nested)
            {
                return null;
            }

            if (limits.RequestsPerMinute is int perMinute && _recent.Count >= perMinute)
            {
                // The call at position Count - perMinute must leave the window before one more fits.
                DateTimeOffset leaves = _recent.ElementAt(_recent.Count - perMinute) + s_minute;
                return new QuotaExceededException(userName, QuotaKind.RequestsPerMinute, perMinute, leaves, now);
            }

            if (limits.ConcurrentRequests is int concurrent && _active >= concurrent)
            {
                return new QuotaExceededException(userName, QuotaKind.ConcurrentRequests, concurrent, now + s_concurrencyRetry, now);
            }

            _recent.Enqueue(now);
            _active++;
            return null;
        }
    }

    /// <summary>Ends a call admitted by <see cref="TryAdmit"/> (with the same <paramref name="nested"/>), adding its tokens to the day it ended on.</summary>
    public void Release(long tokens, DateOnly day, bool nested = false)
    {
        lock (_gate)
        {
            if (!nested)
            {
                _active--;
            }

            if (_day == day)
            {
                _tokensToday += tokens;
            }
        }
    }

    public (long TokensToday, int LastMinute, int Active) Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            Trim(now);
            return (_day == DateOnly.FromDateTime(now.UtcDateTime) ? _tokensToday : 0, _recent.Count, _active);
        }
    }

    private void Trim(DateTimeOffset now)
    {
        while (_recent.TryPeek(out DateTimeOffset oldest) && oldest + s_minute <= now)
        {
            _recent.Dequeue();
        }
    }
}
