using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// Moving averages of time to first token per model and backend: the balancer records them, the <see cref="BalancingStrategies.Latency"/>
/// strategy reads them. A model's pool is a YARP <see cref="ClusterState"/>, a backend a <see cref="DestinationState"/>.
/// </summary>
/// <remarks>
/// Thread-safe. A pool's averages go away with its cluster. It takes no options: the options' validator needs the balancing
/// policies, which need this.
/// </remarks>
internal sealed class FirstTokenLatencies
{
    private readonly ConditionalWeakTable<ClusterState, ConcurrentDictionary<string, MovingAverage>> _pools = [];

    /// <summary>Folds a sample into the average of the backend for the pool's model.</summary>
    /// <param name="pool">The model's pool.</param>
    /// <param name="backend">The backend.</param>
    /// <param name="firstToken">The sample.</param>
    /// <param name="smoothing">The weight of a new sample (<see cref="BalancingOptions.LatencySmoothing"/>), used when the average is created.</param>
    public void Record(ClusterState pool, DestinationState backend, TimeSpan firstToken, double smoothing) =>
        _pools.GetOrCreateValue(pool).GetOrAdd(backend.DestinationId, _ => new MovingAverage(smoothing)).Add(firstToken);

    /// <summary>The average in seconds, or <see langword="null"/> when the backend has not answered this model yet.</summary>
    public double? Get(ClusterState pool, DestinationState backend) =>
        _pools.TryGetValue(pool, out ConcurrentDictionary<string, MovingAverage>? averages) && averages.TryGetValue(backend.DestinationId, out MovingAverage? average)
            ? average.Seconds
            : null;
}
