using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Distribution;

/// <summary>The <c>OffGrid.Distribution</c> activity source and meter.</summary>
internal static class DistributionTelemetry
{
    public const string Name = "OffGrid.Distribution";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    public static readonly Counter<long> PackagesRejected = s_meter.CreateCounter<long>("offgrid.distribution.packages_rejected", "{package}", "Packages refused by verification.");

    public static readonly Counter<long> PeerBytesServed = s_meter.CreateCounter<long>("offgrid.distribution.peer.bytes_served", "By", "Model bytes sent to peers (range requests count what was asked).");

    public static readonly Counter<long> PeerRequestsRefused = s_meter.CreateCounter<long>("offgrid.distribution.peer.requests_refused", "{request}", "Peer requests without a valid network signature.");
}
