using System.Diagnostics;
using OffGrid.AspNetCore.Http;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// <c>POST /v1/auth/login</c>: a user name and password (a local account's, or the directory's through LDAP) in exchange
/// for a new API key that expires, so that directory users need no administrator to get a key. Failed attempts lock the
/// user name out (429 with <c>Retry-After</c>); each attempt is audited under the name it tried.
/// </summary>
internal static class SignInEndpoint
{
    private const int DefaultHours = 12;
    private const int MaxHours = 720;

    public static async Task<IResult> HandleAsync(HttpContext http, SignInService signIn, ApiKeyStore keys, AuditLog audit, TimeProvider time)
    {
        long started = Stopwatch.GetTimestamp();
        DateTimeOffset startedAt = time.GetUtcNow();
        SignInRequest request = await JsonBody.ReadAsync<SignInRequest>(http.Request, http.RequestAborted);
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            throw ApiException.BadRequest("Send 'username' and 'password'.", string.IsNullOrEmpty(request.Username) ? "username" : "password");
        }

        int hours = request.ExpiresInHours ?? DefaultHours;
        if (hours is < 1 or > MaxHours)
        {
            throw new GovernanceArgumentException("expires_in_hours", $"'expires_in_hours' must be between 1 and {MaxHours}.");
        }

        int status = StatusCodes.Status201Created;
        try
        {
            OffGridUser user = await signIn.SignInAsync(request.Username, request.Password, http.RequestAborted);
            CreatedApiKey created = await keys.CreateAsync(user.Name, "sign-in", time.GetUtcNow().AddHours(hours), http.RequestAborted);
            return Results.Json(GovernanceShapes.CreatedKey(created), ServerJson.Options, statusCode: status);
        }
        catch (GovernanceException ex)
        {
            status = GovernanceErrors.GetStatusCode(ex);
            throw;
        }
        finally
        {
            // The route is public, so the request itself is not audited: the attempt is, under the name it tried.
            await audit.AppendAsync(new AuditEvent
            {
                Timestamp = startedAt,
                UserName = UserNames.IsValid(request.Username) ? request.Username : null,
                ClientAddress = http.Connection.RemoteIpAddress?.ToString(),
                Method = http.Request.Method,
                Route = http.Request.Path.Value ?? "/v1/auth/login",
                Status = status,
                Latency = Stopwatch.GetElapsedTime(started),
            }, CancellationToken.None);
        }
    }
}
