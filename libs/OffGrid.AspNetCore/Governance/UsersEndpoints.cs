using OffGrid.AspNetCore.Http;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary><c>/v1/users</c>: user accounts, their permissions and their own quotas (administrators only).</summary>
internal static class UsersEndpoints
{
    public static async Task<IResult> ListAsync(UserDirectory users, CancellationToken cancellationToken) =>
        Results.Json(GovernanceShapes.List((await users.ListAsync(cancellationToken)).Select(GovernanceShapes.User)), ServerJson.Options);

    public static async Task<IResult> GetAsync(string name, UserDirectory users, CancellationToken cancellationToken) =>
        Results.Json(GovernanceShapes.User(await users.GetAsync(name, cancellationToken)), ServerJson.Options);

    public static async Task<IResult> CreateAsync(HttpContext http, UserDirectory users)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        CreateUserRequest request = await JsonBody.ReadAsync<CreateUserRequest>(http.Request, cancellationToken);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw ApiException.BadRequest("The 'name' field is required.", "name");
        }

        UserRole role = request.Role is null ? UserRole.User : UserRoles.Parse(request.Role);
        OffGridUser user = await users.AddAsync(request.Name, role, request.Password, cancellationToken);
        if (request.Models is not null || request.Collections is not null)
        {
            user = await users.SetPermissionsAsync(user.Name, request.Models, request.Collections, cancellationToken);
        }

        return Results.Json(GovernanceShapes.User(user), ServerJson.Options, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> UpdateAsync(string name, HttpContext http, UserDirectory users)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        UpdateUserRequest request = await JsonBody.ReadAsync<UpdateUserRequest>(http.Request, cancellationToken);
        OffGridUser user = await users.GetAsync(name, cancellationToken);
        if (request.Role is not null)
        {
            user = await users.SetRoleAsync(user.Name, UserRoles.Parse(request.Role), cancellationToken);
        }

        if (request.Disabled is { } disabled)
        {
            user = await users.SetDisabledAsync(user.Name, disabled, cancellationToken);
        }

        if (request.Password is not null)
        {
            user = await users.SetPasswordAsync(user.Name, request.Password, cancellationToken);
        }

        if (request.Models is not null || request.Collections is not null)
        {
            user = await users.SetPermissionsAsync(user.Name, request.Models, request.Collections, cancellationToken);
        }

        return Results.Json(GovernanceShapes.User(user), ServerJson.Options);
    }

    public static async Task<IResult> DeleteAsync(string name, UserDirectory users, CancellationToken cancellationToken)
    {
        await users.RemoveAsync(name, cancellationToken);
        return Results.Json(new { @object = "user", name, deleted = true }, ServerJson.Options);
    }

    public static async Task<IResult> SetQuotaAsync(string name, HttpContext http, QuotaService quotas)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        QuotaRequest request = await JsonBody.ReadAsync<QuotaRequest>(http.Request, cancellationToken);
        await quotas.SetUserLimitsAsync(name, new QuotaLimits
        {
            TokensPerDay = request.TokensPerDay,
            RequestsPerMinute = request.RequestsPerMinute,
            ConcurrentRequests = request.ConcurrentRequests,
        }, cancellationToken);
        return Results.Json(GovernanceShapes.Quota(await quotas.GetStatusAsync(name, cancellationToken)), ServerJson.Options);
    }

    /// <summary>Returns the user to the limits of their role.</summary>
    public static async Task<IResult> ClearQuotaAsync(string name, QuotaService quotas, CancellationToken cancellationToken)
    {
        await quotas.SetUserLimitsAsync(name, limits: null, cancellationToken);
        return Results.Json(GovernanceShapes.Quota(await quotas.GetStatusAsync(name, cancellationToken)), ServerJson.Options);
    }
}
