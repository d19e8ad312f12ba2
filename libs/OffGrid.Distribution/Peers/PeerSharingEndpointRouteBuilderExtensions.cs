using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using OffGrid.Distribution;
using OffGrid.Distribution.Peers;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the peer-sharing protocol that other OffGrid machines of the network download models from.</summary>
public static class PeerSharingEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET {prefix}/status</c> (this machine's peer id, name and version), <c>GET {prefix}/models</c> (every
    /// stored model with its files' sizes and SHA-256, and the signed package manifest it came with) and
    /// <c>GET {prefix}/files/{sha256}</c> (a model file, with byte ranges, <c>ETag</c> and <c>If-Range</c>). Every
    /// request must be signed with the network secret (see <see cref="NetworkSecret"/>); while sharing is off, or for a
    /// request without a valid signature, every route answers 404 with no body, so machines outside the network see
    /// nothing. JSON answers carry an HMAC proof header so that clients know the answer came from the network.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The route prefix; peers expect the default, <c>/peer/v1</c>.</param>
    /// <returns>The route group, for further conventions.</returns>
    /// <remarks>Needs <c>AddOffGridHub</c> and <c>AddOffGridDistribution</c> in the services. Thread-safe.</remarks>
    public static RouteGroupBuilder MapOffGridPeerSharing(this IEndpointRouteBuilder endpoints, string prefix = "/peer/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        RouteGroupBuilder group = endpoints.MapGroup(prefix).ExcludeFromDescription();
        group.AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            PeerSharingService sharing = http.RequestServices.GetRequiredService<PeerSharingService>();
            string pathAndQuery = http.Request.PathBase + http.Request.Path + http.Request.QueryString;
            if (await sharing.AuthorizeAsync(http.Request.Method, pathAndQuery, http.Request.Headers.Authorization, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted).ConfigureAwait(false) is not { } caller)
            {
                return Results.NotFound();
            }

            http.Items[typeof(PeerSharingService)] = caller;
            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/status", async (HttpContext http, PeerSharingService sharing, CancellationToken ct) =>
            Signed(http, await sharing.GetStatusAsync(ct).ConfigureAwait(false)));
        group.MapGet("/models", async (HttpContext http, PeerSharingService sharing, CancellationToken ct) =>
            Signed(http, await sharing.GetModelsAsync(ct).ConfigureAwait(false)));
        group.MapGet("/files/{sha256}", async (string sha256, HttpContext http, PeerSharingService sharing, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit) || await sharing.FindFileAsync(sha256, ct).ConfigureAwait(false) is not { } path)
            {
                return Results.NotFound();
            }

            long length = new FileInfo(path).Length;
            string range = http.Request.Headers.Range.ToString();
            logs.CreateLogger("OffGrid.Distribution.Peers.PeerSharing").LogInformation(
                "Serving {Sha256} ({Range}) to {Remote}", sha256, range.Length > 0 ? range : "whole file", http.Connection.RemoteIpAddress);
            DistributionTelemetry.PeerBytesServed.Add(RequestedBytes(range, length));
            return Results.File(path, "application/octet-stream", enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{sha256.ToLowerInvariant()}\""));
        });
        return group;
    }

    private static IResult Signed<T>(HttpContext http, T body)
    {
        var (secret, nonce) = ((NetworkSecret, string))http.Items[typeof(PeerSharingService)]!;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(body, PeerWire.Json);
        http.Response.Headers[PeerAuthentication.ProofHeader] = PeerAuthentication.Proof(secret, nonce, json);
        return Results.Bytes(json, "application/json");
    }

    private static long RequestedBytes(string range, long length)
    {
        if (RangeHeaderValue.TryParse(range, out RangeHeaderValue? parsed) && parsed.Ranges.Count == 1 && parsed.Ranges.First() is { } r)
        {
            long from = r.From ?? Math.Max(0, length - (r.To ?? 0));
            long to = r.From is null ? length - 1 : Math.Min(r.To ?? (length - 1), length - 1);
            return Math.Max(0, to - from + 1);
        }

        return length;
    }
}
