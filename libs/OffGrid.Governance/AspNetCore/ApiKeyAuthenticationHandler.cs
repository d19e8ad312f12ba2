using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.AspNetCore;

/// <summary>
/// Authenticates a request by its API key (<c>Authorization: Bearer &lt;key&gt;</c>, as OpenAI and Ollama clients send it, or
/// <c>x-api-key</c>) in multi-user mode, and as the local administrator from loopback in single-user mode. Invalid keys count
/// against the client address; a locked-out address gets 429 until its lockout ends.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    FailedAttemptLockout lockout,
    IOptions<GovernanceOptions> governance,
    IOptions<GovernanceHttpOptions> http,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    private GovernanceHttpError? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        IPAddress? remote = Context.Connection.RemoteIpAddress;
        if (governance.Value.Mode == GovernanceMode.SingleUser)
        {
            return remote is not null && IPAddress.IsLoopback(remote)
                ? Success(governance.Value.LocalUserName, UserRole.Admin, keyId: null)
                : Fail(403, "loopback_only", "This OffGrid server runs in single-user mode and serves loopback clients only.");
        }

        if (ReadKey(Request) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        string client = "client:" + (remote?.ToString() ?? "unknown");
        if (lockout.GetLockoutEnd(client) is { } until)
        {
            return LockedOut(until);
        }

        ApiKeyValidation validation = await keys.ValidateAsync(presented, Context.RequestAborted).ConfigureAwait(false);
        if (validation is { IsValid: true, User: { } user, Key: { } key })
        {
            return Success(user.Name, user.Role, key.Id);
        }

        GovernanceTelemetry.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("method", "api_key"));
        if (lockout.RecordFailure(client) is { } lockedUntil)
        {
            return LockedOut(lockedUntil);
        }

        return validation.Failure switch
        {
            ApiKeyFailure.Expired => Fail(401, "expired_api_key", $"The API key {validation.Key?.Id} has expired."),
            ApiKeyFailure.Revoked => Fail(401, "revoked_api_key", $"The API key {validation.Key?.Id} was revoked."),
            ApiKeyFailure.AccountDisabled => Fail(401, "account_disabled", $"The account of API key {validation.Key?.Id} is disabled."),
            _ => Fail(401, "invalid_api_key", "The API key is not valid."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        GovernanceHttpError error = _failure ?? new GovernanceHttpError(
            401, "missing_api_key", $"This route needs an API key: send 'Authorization: Bearer <key>' or '{OffGridAuthenticationDefaults.ApiKeyHeader}: <key>'.");
        Response.StatusCode = error.StatusCode;
        if (error.StatusCode == 401)
        {
            Response.Headers.WWWAuthenticate = "Bearer realm=\"OffGrid\"";
        }

        await http.Value.WriteError(Context, error).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        string role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown";
        var error = new GovernanceHttpError(403, "forbidden", $"The '{role}' role may not use {Request.Method} {Request.Path}.");
        Response.StatusCode = error.StatusCode;
        return http.Value.WriteError(Context, error);
    }

    private static string? ReadKey(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        string? header = request.Headers[OffGridAuthenticationDefaults.ApiKeyHeader];
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }

    private AuthenticateResult Success(string userName, UserRole role, string? keyId)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, userName), new(ClaimTypes.Role, role.ToName()) };
        if (keyId is not null)
        {
            claims.Add(new Claim(OffGridAuthenticationDefaults.KeyIdClaim, keyId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private AuthenticateResult LockedOut(DateTimeOffset until)
    {
        long seconds = Math.Max(1, (long)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
        Context.Response.OnStarting(() =>
        {
            Context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        return Fail(429, "locked_out", $"Too many invalid API keys from this address; try again in {seconds} s.");
    }

    private AuthenticateResult Fail(int status, string code, string message)
    {
        _failure = new GovernanceHttpError(status, code, message);
        return AuthenticateResult.Fail(message);
    }
}
