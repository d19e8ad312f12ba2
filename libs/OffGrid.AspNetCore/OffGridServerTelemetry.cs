using Microsoft.Extensions.Diagnostics.Metrics;

namespace OffGrid.AspNetCore;

/// <summary>
/// The telemetry names of an OffGrid server. <c>/metrics</c> exports, in the Prometheus format: the
/// <see cref="SourceName"/> meter (Microsoft.Extensions.AI's <c>gen_ai.client.token.usage</c> and
/// <c>gen_ai.client.operation.duration</c> when the pipelines use <c>UseOpenTelemetry(sourceName: SourceName)</c>),
/// <c>OffGrid.Inference</c> (tokens, generation time and speed, the GenAI <c>gen_ai.server.*</c> latencies, loaded
/// models, queue depth, active sequences),
/// <c>OffGrid.Rag</c> (chunks stored, documents failed, search duration),
/// <c>OffGrid.Backends</c> (remote backends: requests in flight, health, time to first token, requests by outcome),
/// <c>OffGrid.Distribution</c> (packages rejected, bytes served to LAN peers, peer requests refused),
/// <c>OffGrid.Governance</c> (quota refusals, failed authentications, audit entries) and
/// ASP.NET Core's <c>http.server.request.duration</c> (requests by route and status).
/// </summary>
/// <remarks>
/// The meters an app's own container creates (<c>OffGrid.Inference</c>, <c>OffGrid.Backends</c> and ASP.NET Core's) are
/// exported only from that app, so two servers in one process report their own figures; the others are process-wide
/// meters (Microsoft.Extensions.AI's middleware creates its meter without the container), which every server in a
/// process exports.
/// </remarks>
public static class OffGridServerTelemetry
{
    /// <summary>The activity source and meter name the server's chat pipelines report under.</summary>
    public const string SourceName = "OffGrid.AspNetCore";

    internal static readonly (string Name, MeterScope Scopes)[] ExportedMeters =
    [
        (SourceName, MeterScope.Global),
        (Inference.InferenceTelemetry.MeterName, MeterScope.Local),
        (global::OffGrid.Agents.AgentsTelemetry.Name, MeterScope.Global),
        ("OffGrid.Rag", MeterScope.Global),
        (Backends.BackendTelemetry.MeterName, MeterScope.Local),
        (Distribution.DistributionTelemetry.Name, MeterScope.Global),
        (OffGrid.Governance.GovernanceTelemetry.Name, MeterScope.Global),
        ("Microsoft.AspNetCore.Hosting", MeterScope.Local),
        ("Microsoft.AspNetCore.Server.Kestrel", MeterScope.Local),
    ];
}
