using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// <see cref="BalancingStrategies.Weighted"/>: smooth weighted round-robin (nginx's). Each pick adds every candidate's weight to
/// its running score, takes the highest score and subtracts the candidates' total weight from it, so that over any run of
/// picks each backend's share matches its weight and picks interleave instead of coming in bursts.
/// </summary>
/// <remarks>
/// A backend's weight is its YARP destination's <see cref="WeightMetadataKey"/> metadata (1 when missing). Thread-safe: picks on
/// one pool are serialized on that pool's scores, which costs a lock and a pass over the candidates.
/// </remarks>
internal sealed class WeightedLoadBalancingPolicy : ILoadBalancingPolicy
{
    /// <summary>The destination metadata key that holds the weight.</summary>
    public const string WeightMetadataKey = "OffGrid.Weight";

    private readonly ConditionalWeakTable<ClusterState, Dictionary<string, long>> _scores = [];

    public string Name => BalancingStrategies.Weighted;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        Dictionary<string, long> scores = _scores.GetOrCreateValue(cluster);
        lock (scores)
        {
            long total = 0;
            DestinationState? best = null;
            long bestScore = long.MinValue;
            foreach (DestinationState destination in availableDestinations)
            {
                int weight = WeightOf(destination);
                long score = CollectionsMarshal.GetValueRefOrAddDefault(scores, destination.DestinationId, out _) += weight;
                total += weight;
                if (score > bestScore)
                {
                    best = destination;
                    bestScore = score;
                }
            }

            scores[best!.DestinationId] -= total;
            return best;
        }
    }

    internal static int WeightOf(DestinationState destination) =>
        destination.Model?.Config.Metadata is { } metadata && metadata.TryGetValue(WeightMetadataKey, out string? text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int weight) && weight > 0
            ? weight
            : 1;
}
