using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Distribution;

/// <summary>
/// The <c>OffGrid.Distribution</c> activity source and meter: <c>offgrid.distribution.packages_rejected</c> (counter,
/// <c>{package}</c>, tagged with <c>problem</c>), <c>offgrid.distribution.peer.bytes_served</c> (counter, bytes sent to
/// peers) and <c>offgrid.distribution.peer.requests_refused</c> (counter, peer requests without a valid network
/// signature, or while sharing is off). Thread-safe.
/// </summary>
public static class DistributionTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "OffGrid.Distribution";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> PackagesRejected = s_meter.CreateCounter<long>("offgrid.distribution.packages_rejected", "{package}", "Packages refused by verification.");

    internal static readonly Counter<long> PeerBytesServed = s_meter.CreateCounter<long>("offgrid.distribution.peer.bytes_served", "By", "Model bytes sent to peers (range requests count what was asked).");

    internal static readonly Counter<long> PeerRequestsRefused = s_meter.CreateCounter<long>("offgrid.distribution.peer.requests_refused", "{request}", "Peer requests without a valid network signature.");
}
