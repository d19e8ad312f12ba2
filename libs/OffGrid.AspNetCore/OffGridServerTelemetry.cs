namespace OffGrid.AspNetCore;

/// <summary>
/// The telemetry names of an OffGrid server. <c>/metrics</c> exports, in the Prometheus format: the
/// <see cref="SourceName"/> meter (Microsoft.Extensions.AI's <c>gen_ai.client.token.usage</c> and
/// <c>gen_ai.client.operation.duration</c> when the pipelines use <c>UseOpenTelemetry(sourceName: SourceName)</c>),
/// <c>OffGrid.Inference</c> (tokens, generation time and speed, loaded models, queue depth, active sequences),
/// <c>OffGrid.Rag</c> (chunks stored, documents failed, search duration),
/// <c>OffGrid.Backends</c> (remote backends: requests in flight, health, time to first token, requests by outcome),
/// <c>OffGrid.Distribution</c> (packages rejected, bytes served to LAN peers, peer requests refused),
/// <c>OffGrid.Governance</c> (quota refusals, failed authentications, audit entries) and
/// ASP.NET Core's <c>http.server.request.duration</c> (requests by route and status).
/// </summary>
public static class OffGridServerTelemetry
{
    /// <summary>The activity source and meter name the server's chat pipelines report under.</summary>
    public const string SourceName = "OffGrid.AspNetCore";

    internal static readonly string[] ExportedMeters =
    [
        SourceName,
        Inference.InferenceTelemetry.MeterName,
        global::OffGrid.Agents.AgentsTelemetry.Name,
        "OffGrid.Rag",
        Backends.BackendTelemetry.MeterName,
        Distribution.DistributionTelemetry.Name,
        OffGrid.Governance.GovernanceTelemetry.Name,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
    ];
}
