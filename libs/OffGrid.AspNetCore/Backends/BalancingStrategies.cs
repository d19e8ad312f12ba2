using Yarp.ReverseProxy.LoadBalancing;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// The names of the strategies that pick a backend among those serving a model (<see cref="BalancingOptions.Strategy"/>). Each
/// is a YARP <see cref="ILoadBalancingPolicy"/>: YARP's own, or OffGrid's two for LLM traffic. An app can register its own
/// <see cref="ILoadBalancingPolicy"/> in the service collection and name it here.
/// </summary>
public static class BalancingStrategies
{
    /// <summary>Each backend in turn (YARP's <c>RoundRobin</c>).</summary>
    public const string RoundRobin = "RoundRobin";

    /// <summary>The backend with the fewest requests in flight (YARP's <c>LeastRequests</c>); the default.</summary>
    public const string LeastRequests = "LeastRequests";

    /// <summary>The less busy of two backends picked at random (YARP's <c>PowerOfTwoChoices</c>).</summary>
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";

    /// <summary>A backend picked at random (YARP's <c>Random</c>).</summary>
    public const string Random = "Random";

    /// <summary>The available backend whose name sorts first (YARP's <c>FirstAlphabetical</c>): the others are failover spares.</summary>
    public const string FirstAlphabetical = "FirstAlphabetical";

    /// <summary>
    /// Each backend in proportion to its <c>Weight</c>, spread evenly (smooth weighted round-robin, as in nginx): with weights 5, 3
    /// and 2, every ten requests go 5, 3 and 2 ways, interleaved.
    /// </summary>
    public const string Weighted = "Weighted";

    /// <summary>
    /// Power of two choices on time to first token: of two backends picked at random, the one whose moving average of time to
    /// first token for this model, times its requests in flight plus one, is lower. Backends without a measurement yet go first.
    /// </summary>
    public const string Latency = "Latency";
}
