using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// <see cref="BalancingStrategies.Latency"/>: the power of two choices on time to first token. Of two candidates picked at
/// random, the one whose expected wait — its moving average of time to first token for this model times its requests in flight
/// plus one — is lower. A backend without a measurement counts as zero, so new and recovered backends are tried first.
/// </summary>
/// <remarks>Thread-safe; reads <see cref="FirstTokenLatencies"/> and YARP's in-flight counts without locking.</remarks>
internal sealed class LatencyLoadBalancingPolicy(FirstTokenLatencies latencies) : ILoadBalancingPolicy
{
    public string Name => BalancingStrategies.Latency;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        int count = availableDestinations.Count;
        if (count <= 1)
        {
            return count == 0 ? null : availableDestinations[0];
        }

        int first = System.Random.Shared.Next(count);
        int second = System.Random.Shared.Next(count - 1);
        second += second >= first ? 1 : 0;
        DestinationState a = availableDestinations[first];
        DestinationState b = availableDestinations[second];
        double costA = ExpectedWait(cluster, a);
        double costB = ExpectedWait(cluster, b);
        return costA < costB || (costA == costB && a.ConcurrentRequestCount <= b.ConcurrentRequestCount) ? a : b;
    }

    private double ExpectedWait(ClusterState cluster, DestinationState destination) =>
        (latencies.Get(cluster, destination) ?? 0) * (destination.ConcurrentRequestCount + 1);
}
