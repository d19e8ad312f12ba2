using System.Collections.Concurrent;

namespace OffGrid.Governance.Identity;

/// <summary>
/// Counts failed attempts per key (a user name, a client address) and locks the key out for <see cref="LockoutOptions.Duration"/>
/// after <see cref="LockoutOptions.MaxFailedAttempts"/> failures within <see cref="LockoutOptions.Window"/>; a success clears the count.
/// </summary>
/// <remarks>
/// In memory, per process: a restart clears lockouts, which an attacker cannot trigger remotely. Thread-safe. Entries expire
/// with their window, so a stream of distinct keys cannot grow it without bound for long.
/// </remarks>
public sealed class FailedAttemptLockout
{
    private readonly ConcurrentDictionary<string, Attempts> _attempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly LockoutOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the counter.</summary>
    /// <param name="options">The thresholds.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public FailedAttemptLockout(LockoutOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets when the lockout of <paramref name="key"/> ends, or <see langword="null"/> when it is not locked out.</summary>
    /// <param name="key">The user name or client address.</param>
    /// <returns>The end of the lockout.</returns>
    public DateTimeOffset? GetLockoutEnd(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _time.GetUtcNow();
        return _attempts.TryGetValue(key, out Attempts? attempts) && attempts.LockedUntil(now) is { } until ? until : null;
    }

    /// <summary>Counts a failure of <paramref name="key"/>.</summary>
    /// <param name="key">The user name or client address.</param>
    /// <returns>When the key is now locked out until, or <see langword="null"/> while it is under the threshold.</returns>
    public DateTimeOffset? RecordFailure(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _time.GetUtcNow();
        Prune(now);
        return _attempts.GetOrAdd(key, _ => new Attempts()).Fail(now, _options);
    }

    /// <summary>Clears the failures of <paramref name="key"/> after a success.</summary>
    /// <param name="key">The user name or client address.</param>
    public void RecordSuccess(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _attempts.TryRemove(key, out _);
    }

    private void Prune(DateTimeOffset now)
    {
        if (_attempts.Count < 1024)
        {
            return;
        }

        foreach ((string key, Attempts attempts) in _attempts)
        {
            if (attempts.IsStale(now, _options))
            {
                _attempts.TryRemove(key, out _);
            }
        }
    }

    private sealed class Attempts
    {
        private readonly Lock _gate = new();
        private readonly Queue<DateTimeOffset> _failures = new();
        private DateTimeOffset _lockedUntil;

        public DateTimeOffset? LockedUntil(DateTimeOffset now)
        {
            lock (_gate)
            {
                return _lockedUntil > now ? _lockedUntil : null;
            }
        }

        public DateTimeOffset? Fail(DateTimeOffset now, LockoutOptions options)
        {
            lock (_gate)
            {
                while (_failures.TryPeek(out DateTimeOffset oldest) && oldest + options.Window <= now)
                {
                    _failures.Dequeue();
                }

                _failures.Enqueue(now);
                if (_failures.Count >= options.MaxFailedAttempts)
                {
                    _failures.Clear();
                    _lockedUntil = now + options.Duration;
                }

                return _lockedUntil > now ? _lockedUntil : null;
            }
        }

        public bool IsStale(DateTimeOffset now, LockoutOptions options)
        {
            lock (_gate)
            {
                return _lockedUntil <= now && (_failures.Count == 0 || _failures.Last() + options.Window <= now);
            }
        }
    }
}
