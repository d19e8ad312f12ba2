using OffGrid.Agents.Runs;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Agents;

/// <summary>
/// Who may see and control agent runs: a run belongs to the user who started it (<see cref="AgentRunRequest.User"/>). A user
/// sees and controls only their own runs, and another user's run is not found (404 <c>run_not_found</c>, so ids cannot be
/// probed); administrators see and control every run. Auditors do not reach the agents API (it requires the user policy), so
/// they see no run. A request without an authenticated user (an app that mapped the endpoints without key requirements)
/// sees every run.
/// </summary>
internal static class AgentRunAccess
{
    /// <summary>The user a run started by <paramref name="http"/> belongs to, or <see langword="null"/> without one.</summary>
    public static string? Owner(HttpContext http) => http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    /// <summary>Whose runs <paramref name="http"/> lists: its user's, or everyone's (<see langword="null"/>) for administrators.</summary>
    public static string? ListedUser(HttpContext http) => http.User.IsInRole(UserRoles.Admin) ? null : Owner(http);

    /// <summary>Gets a run the caller may see.</summary>
    /// <exception cref="AgentRunNotFoundException">No run has that id, or it is another user's.</exception>
    public static AgentRunInfo Get(HttpContext http, AgentRuns runs, string id)
    {
        AgentRunInfo run = runs.Get(id);
        return http.User.IsInRole(UserRoles.Admin) || Owner(http) is not { } caller || string.Equals(run.Request.User, caller, StringComparison.OrdinalIgnoreCase)
            ? run
            : throw new AgentRunNotFoundException(id);
    }

    /// <summary>
    /// Admits a run of the caller on <paramref name="model"/> before the model is loaded or the run answered 202: the user must be
    /// allowed the model and under their quotas, and the run counts as one request. The caller enters the lease
    /// (<see cref="QuotaLease.Enter"/>) around starting the run, so the run's model calls (its agents working at the same time
    /// included) share its concurrency slot and count their tokens, and disposes it when the run ends. <see langword="null"/>
    /// without governance.
    /// </summary>
    /// <exception cref="AccessDeniedException">403: the user may not use the model, or is an auditor.</exception>
    /// <exception cref="QuotaExceededException">429: a quota is reached.</exception>
    public static async Task<QuotaLease?> AdmitAsync(HttpContext http, string model)
    {
        if (http.RequestServices.GetService<QuotaService>() is not { } quotas || CallerContext.Current is not { } caller)
        {
            return null;
        }

        return await quotas.AcquireAsync(caller, model, http.RequestAborted);
    }
}
