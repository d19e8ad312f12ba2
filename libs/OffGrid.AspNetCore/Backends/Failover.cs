using System.Diagnostics;
using OffGrid.Inference;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// Sends a request to a pool: picks a backend, counts the request in flight there and starts it; when the backend fails
/// before answering anything (<see cref="BackendUnavailableException"/>), records the failure and tries the next backend, up
/// to <see cref="BalancingOptions.MaxAttempts"/>. What has started answering is never retried: the caller owns it.
/// </summary>
internal static class Failover
{
    /// <summary>Starts a request on the first backend of the pool that answers.</summary>
    /// <typeparam name="T">What a started attempt yields (a stream with its first update, or a whole answer).</typeparam>
    /// <param name="backends">The registry, for health and telemetry.</param>
    /// <param name="pool">The model's pool.</param>
    /// <param name="conversation">The conversation's prefix keys, for affinity; empty when it has none.</param>
    /// <param name="start">Starts the request on a member; it must release what it opened when it throws.</param>
    /// <param name="cancellationToken">The caller's cancellation: it is never taken for a backend's failure.</param>
    /// <returns>The started attempt, its member and its in-flight count, which the caller disposes when the answer ends.</returns>
    /// <exception cref="BackendUnavailableException">No backend is available, or every backend tried failed.</exception>
    /// <exception cref="InvalidRequestException">The backend rejected the request (not retried: every backend would).</exception>
    public static async Task<Started<T>> StartAsync<T>(
        RemoteBackends backends, BackendPool pool, IReadOnlyList<ulong> conversation, Func<PoolMember, CancellationToken, Task<T>> start, CancellationToken cancellationToken)
    {
        var tried = new List<PoolMember>();
        var failures = new List<BackendUnavailableException>();
        while (tried.Count < backends.Options.MaxAttempts && pool.Pick(conversation, tried) is { } member)
        {
            tried.Add(member);
            BackendState backend = member.Backend;
            IDisposable inFlight = backend.Begin();
            long started = Stopwatch.GetTimestamp();
            try
            {
                T result = await start(member, cancellationToken).ConfigureAwait(false);
                backends.ReportSuccess(pool, backend, Stopwatch.GetElapsedTime(started));
                pool.Affinity?.Remember(conversation, backend.Name);
                return new Started<T>(result, member, inFlight);
            }
            catch (BackendUnavailableException failure) when (!cancellationToken.IsCancellationRequested)
            {
                inFlight.Dispose();
                backends.ReportFailure(backend, failure);
                backends.Telemetry.RecordRequest(backend, pool.Model, Outcomes.Failed);
                failures.Add(failure);
            }
            catch (Exception ex)
            {
                inFlight.Dispose();
                backends.Telemetry.RecordRequest(backend, pool.Model, Outcomes.Of(ex, cancellationToken));
                throw;
            }
        }

        throw Exhausted(pool, tried, failures);
    }

    /// <summary>The error when no backend answered: the failures of the backends tried, and the state of those left out.</summary>
    private static BackendUnavailableException Exhausted(BackendPool pool, List<PoolMember> tried, List<BackendUnavailableException> failures)
    {
        PoolMember[] untried = [.. pool.Members.Where(m => !tried.Contains(m))];
        string states = string.Join("; ", untried.Select(m => $"{m.Backend.Name}: {m.Backend.Status.Replace('_', ' ')}{(m.Backend.LastError is { } e ? $" ({e.Message})" : string.Empty)}"));
        if (failures.Count == 0)
        {
            return new BackendUnavailableException(
                string.Join(",", untried.Select(m => m.Backend.Name)),
                BackendFailure.Unhealthy,
                $"Every backend serving '{pool.Model}' is unavailable — {states}. See GET /v1/backends.");
        }

        if (failures.Count == 1 && untried.Length == 0)
        {
            return failures[0];
        }

        BackendFailure kind = failures.Select(f => f.Failure).Distinct().Count() == 1 ? failures[0].Failure : BackendFailure.Unreachable;
        string detail = string.Join(" ", failures.Select(f => f.Message));
        string leftOut = untried.Length == 0 ? string.Empty : $" Not tried — {states}.";
        return new BackendUnavailableException(
            string.Join(",", failures.Select(f => f.Backend).Concat(untried.Select(m => m.Backend.Name))),
            kind,
            $"No backend could answer '{pool.Model}' ({failures.Count} tried): {detail}{leftOut}",
            failures[^1]);
    }

    /// <summary>A request that started on a backend.</summary>
    /// <typeparam name="T">What the attempt yielded.</typeparam>
    /// <param name="Result">What the attempt yielded.</param>
    /// <param name="Member">The backend it runs on.</param>
    /// <param name="InFlight">Its count in the backend's requests in flight; dispose it when the answer ends, however it ends.</param>
    public sealed record Started<T>(T Result, PoolMember Member, IDisposable InFlight);

    /// <summary>The <c>outcome</c> tag of <c>offgrid.backend.requests</c>.</summary>
    public static class Outcomes
    {
        public const string Ok = "ok";
        public const string Failed = "failed";
        public const string Rejected = "rejected";
        public const string Cancelled = "cancelled";

        public static string Of(Exception exception, CancellationToken cancellationToken) => exception switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => Cancelled,
            InvalidRequestException => Rejected,
            _ => Failed,
        };
    }
}
