using OffGrid.AspNetCore.Http;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Identity;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// <c>/v1/keys</c>: a user lists, creates, revokes and regenerates their own API keys; an administrator anyone's
/// (<c>?user=</c> and the <c>user</c> field). Secrets appear once, in the answer that creates them.
/// </summary>
internal static class KeysEndpoints
{
    /// <summary>The longest expiry a request may set in days (ten years): later dates are almost certainly a unit mistake.</summary>
    private const int MaxExpiryDays = 3650;

    public static async Task<IResult> ListAsync(HttpContext http, ApiKeyStore keys)
    {
        string? requested = http.Request.Query["user"];

        // An administrator without ?user= sees every key; anyone else only their own.
        string? owner = requested is null && HttpCaller.IsAdmin(http) ? null : HttpCaller.ActingFor(http, requested);
        IReadOnlyList<ApiKeyInfo> list = await keys.ListAsync(owner, http.RequestAborted);
        return Results.Json(GovernanceShapes.List(list.Select(k => GovernanceShapes.Key(k))), ServerJson.Options);
    }

    public static async Task<IResult> CreateAsync(HttpContext http, ApiKeyStore keys, TimeProvider time)
    {
        CreateKeyRequest request = await JsonBody.ReadAsync<CreateKeyRequest>(http.Request, http.RequestAborted);
        string owner = HttpCaller.ActingFor(http, request.User);
        DateTimeOffset? expires = request.ExpiresAt;
        if (request.ExpiresInDays is { } days)
        {
            if (expires is not null)
            {
                throw new GovernanceArgumentException("expires_in_days", "Give either 'expires_at' or 'expires_in_days', not both.");
            }

            if (days is < 1 or > MaxExpiryDays)
            {
                throw new GovernanceArgumentException("expires_in_days", $"'expires_in_days' must be between 1 and {MaxExpiryDays}.");
            }

            expires = time.GetUtcNow().AddDays(days);
        }

        CreatedApiKey created = await keys.CreateAsync(owner, request.Name, expires, http.RequestAborted);
        return Results.Json(GovernanceShapes.CreatedKey(created), ServerJson.Options, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> RevokeAsync(string id, HttpContext http, ApiKeyStore keys)
    {
        await EnsureOwnAsync(http, keys, id);
        return Results.Json(GovernanceShapes.Key(await keys.RevokeAsync(id, http.RequestAborted)), ServerJson.Options);
    }

    public static async Task<IResult> RegenerateAsync(string id, HttpContext http, ApiKeyStore keys)
    {
        await EnsureOwnAsync(http, keys, id);
        return Results.Json(GovernanceShapes.CreatedKey(await keys.RegenerateAsync(id, http.RequestAborted)), ServerJson.Options);
    }

    /// <exception cref="UnknownApiKeyException">No such key.</exception>
    /// <exception cref="AccessDeniedException">The key is another user's and the caller is not an administrator.</exception>
    private static async Task EnsureOwnAsync(HttpContext http, ApiKeyStore keys, string id)
    {
        ApiKeyInfo key = await keys.GetAsync(id, http.RequestAborted);
        if (!HttpCaller.IsAdmin(http) && !string.Equals(key.UserName, HttpCaller.Name(http), StringComparison.OrdinalIgnoreCase))
        {
            // Said like an unknown key, so that other users' key ids cannot be probed.
            throw new UnknownApiKeyException(id);
        }
    }
}
