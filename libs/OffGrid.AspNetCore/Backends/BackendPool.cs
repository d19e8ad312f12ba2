using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// The backends that serve one model name, as a YARP <see cref="ClusterState"/> whose destinations are the backends: picks a
/// backend for each attempt of a request — the conversation's affine backend when it is usable, else the pool's
/// <see cref="ILoadBalancingPolicy"/> over the available backends not tried yet.
/// </summary>
/// <remarks>Thread-safe. Members are replaced as a whole when the backends' model lists change; balancing state (round-robin position, weights, latencies, affinity) stays with the pool.</remarks>
internal sealed class BackendPool
{
    private readonly IAvailableDestinationsPolicy _availability;
    private readonly ClusterConfig _healthConfig;
    private volatile PoolMember[] _members = [];

    public BackendPool(string model, ILoadBalancingPolicy policy, IAvailableDestinationsPolicy availability, ClusterConfig healthConfig, HttpMessageInvoker invoker, PrefixAffinity? affinity)
    {
        Model = model;
        Policy = policy;
        Affinity = affinity;
        _availability = availability;
        _healthConfig = healthConfig;
        Cluster = new ClusterState(model, new ClusterModel(new ClusterConfig { ClusterId = model, LoadBalancingPolicy = policy.Name }, invoker));
    }

    /// <summary>The model name clients use.</summary>
    public string Model { get; }

    /// <summary>The pool as YARP sees it: the cluster its policies keep their state for.</summary>
    public ClusterState Cluster { get; }

    public ILoadBalancingPolicy Policy { get; }

    /// <summary>The conversations' backends, or <see langword="null"/> when prefix affinity is off.</summary>
    public PrefixAffinity? Affinity { get; }

    public IReadOnlyList<PoolMember> Members => _members;

    public void SetMembers(PoolMember[] members) => _members = members;

    /// <summary>The members that health checks and circuits let through, in member order.</summary>
    public IReadOnlyList<PoolMember> Available()
    {
        PoolMember[] members = _members;
        IReadOnlyList<DestinationState> available = _availability.GetAvailalableDestinations(_healthConfig, [.. members.Select(m => m.Backend.Destination)]);
        if (available.Count == members.Length)
        {
            return members;
        }

        // A set, so that a pool of a hundred backends costs a hundred lookups per pick rather than ten thousand comparisons.
        var usable = new HashSet<DestinationState>(available);
        return [.. members.Where(m => usable.Contains(m.Backend.Destination))];
    }

    /// <summary>Picks the backend for the next attempt of a request.</summary>
    /// <param name="conversation">The conversation's <see cref="PrefixAffinity.KeysOf"/>, empty when it has none.</param>
    /// <param name="tried">The members the request already failed on.</param>
    /// <returns>The member, or <see langword="null"/> when no available backend is left.</returns>
    public PoolMember? Pick(IReadOnlyList<ulong> conversation, IReadOnlyCollection<PoolMember> tried)
    {
        List<PoolMember> candidates = [.. Available().Where(m => !tried.Contains(m))];
        if (candidates.Count == 0)
        {
            return null;
        }

        if (Affinity?.Find(conversation, name => candidates.Exists(c => c.Backend.Name == name)) is { } affine)
        {
            return candidates.First(c => c.Backend.Name == affine);
        }

        // YARP's policies take the HTTP request for policies that route on it; OffGrid's and the built-in ones do not read it.
        DestinationState? picked = Policy.PickDestination(new DefaultHttpContext(), Cluster, [.. candidates.Select(c => c.Backend.Destination)]);
        return candidates.Find(c => c.Backend.Destination == picked);
    }
}
