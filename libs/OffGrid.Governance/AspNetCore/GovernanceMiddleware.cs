using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.AspNetCore;

/// <summary>
/// Runs between authentication and authorization for every request: refuses non-loopback clients in single-user mode, makes
/// the authenticated user the ambient <see cref="CallerContext"/> (so <c>UseQuotas</c> and <c>UseAudit</c> know who calls),
/// and writes one audit entry per request, refused ones (401, 403, 429) included, with the model use of the request.
/// </summary>
internal sealed class GovernanceMiddleware(RequestDelegate next, AuditLog audit, IOptions<GovernanceOptions> governance, IOptions<GovernanceHttpOptions> http)
{
    public async Task InvokeAsync(HttpContext context)
    {
        IPAddress? remote = context.Connection.RemoteIpAddress;
        if (governance.Value.Mode == GovernanceMode.SingleUser && (remote is null || !IPAddress.IsLoopback(remote)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Value.WriteError(context, new GovernanceHttpError(
                403, "loopback_only", "This OffGrid server runs in single-user mode and serves loopback clients only.")).ConfigureAwait(false);
            return;
        }

        Endpoint? endpoint = context.GetEndpoint();
        bool audited = audit.Options.IncludePublicRoutes || endpoint is null || OffGridEndpointAccess.Classify(endpoint) != EndpointAccess.Public;
        Caller? caller = context.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? new Caller(name) { KeyId = context.User.FindFirstValue(OffGridAuthenticationDefaults.KeyIdClaim), ClientAddress = remote?.ToString() }
            : null;
        using IDisposable? callerScope = caller is null ? null : CallerContext.Enter(caller);
        string route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/";
        AuditScope? scope = audited ? AuditScope.Begin(route) : null;
        DateTimeOffset started = audit.Now;
        long timestamp = Stopwatch.GetTimestamp();
        bool failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (scope is not null)
            {
                int status = failed ? StatusCodes.Status500InternalServerError
                    : context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? GovernanceErrors.ClientClosedRequest
                    : context.Response.StatusCode;
                await audit.AppendAsync(scope.Complete(new AuditEvent
                {
                    Timestamp = started,
                    UserName = caller?.UserName,
                    KeyId = caller?.KeyId,
                    ClientAddress = remote?.ToString(),
                    Method = context.Request.Method,
                    Route = route,
                    Status = status,
                    Latency = Stopwatch.GetElapsedTime(timestamp),
                }), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
