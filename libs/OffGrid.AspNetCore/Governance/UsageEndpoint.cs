using System.Globalization;
using OffGrid.AspNetCore.Http;
using OffGrid.Governance.Quotas;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// <c>GET /v1/usage</c>: the caller's limits and what is used of them now, and requests, refusals and tokens per UTC day
/// (<c>from</c>, <c>to</c>: <c>yyyy-MM-dd</c>, inclusive). An administrator may ask for any <c>user</c>, and without one
/// gets every user's days.
/// </summary>
internal static class UsageEndpoint
{
    public static async Task<IResult> GetAsync(HttpContext http, QuotaService quotas)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        IQueryCollection query = http.Request.Query;
        string? requested = query["user"];
        string? user = requested is null && HttpCaller.IsAdmin(http) ? null : HttpCaller.ActingFor(http, requested);
        DateOnly? from = Day(query, "from");
        DateOnly? to = Day(query, "to");
        IReadOnlyList<UsageSummary> days = await quotas.GetUsageAsync(user, from, to, cancellationToken);
        return Results.Json(new
        {
            @object = "usage",
            quota = user is null ? null : GovernanceShapes.Quota(await quotas.GetStatusAsync(user, cancellationToken)),
            data = days.Select(GovernanceShapes.Usage),
        }, ServerJson.Options);
    }

    private static DateOnly? Day(IQueryCollection query, string name) =>
        query[name].ToString() is not { Length: > 0 } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly day) ? day
        : throw ApiException.BadRequest($"'{name}' must be a day as yyyy-MM-dd (was '{text}').", name);
}
