using OffGrid.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// <c>GET /v1/backends</c>: every remote backend with its status, requests in flight, time to first token, counters, last error
/// and models, and every remote model's pool with its strategy.
/// </summary>
internal static class BackendsEndpoint
{
    public static async Task<IResult> GetAsync(RemoteBackends backends, CancellationToken cancellationToken)
    {
        await backends.EnsureListedAsync(cancellationToken);
        return Results.Json(new
        {
            @object = "list",
            data = backends.Backends.Select(b => new
            {
                name = b.Name,
                kind = b.Backend.Kind.ToString().ToLowerInvariant(),
                endpoint = b.Backend.Endpoint.ToString(),
                status = b.Status,
                active_health = Health(b.Destination.Health.Active),
                passive_health = Health(b.Destination.Health.Passive),
                weight = b.Backend.Options.Weight,
                in_flight = b.InFlight,
                requests = b.Requests,
                failures = b.Failures,
                time_to_first_token_ms = b.FirstToken.Seconds * 1000,
                last_error = b.LastError?.Message,
                last_error_at = b.LastError?.At,
                models = b.Models?.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray() ?? [],
            }),
            pools = backends.Pools.Where(p => p.Members.Count > 0).Select(p => new
            {
                model = p.Model,
                strategy = p.Policy.Name,
                prefix_affinity = p.Affinity is not null,
                conversations = p.Affinity?.Count ?? 0,
                backends = p.Members.Select(m => new
                {
                    name = m.Backend.Name,
                    remote_model = m.RemoteModel,
                    time_to_first_token_ms = backends.Latencies.Get(p.Cluster, m.Backend.Destination) * 1000,
                }),
            }),
        }, ServerJson.Options);
    }

    private static string Health(DestinationHealth health) => health.ToString().ToLowerInvariant();
}
