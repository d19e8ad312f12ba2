using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// Which models a request's user sees in model lists (<c>/v1/models</c>, <c>/api/tags</c>): those they may call
/// (<see cref="AccessPolicy.CanUseModel(OffGridUser, string?)"/>), so that a client's model picker offers no model that
/// would answer 403. Registered by <c>WithGovernance</c>; without it every model is listed.
/// </summary>
internal sealed class ModelVisibility(UserDirectory users)
{
    /// <summary>
    /// A filter of model names for the user of <paramref name="http"/>: everything for an administrator (single-user mode's
    /// local user included) and for an unauthenticated request (which only an app without key requirements lets through).
    /// </summary>
    public async Task<Func<string, bool>> ForAsync(HttpContext http)
    {
        if (http.User.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name } || HttpCaller.IsAdmin(http))
        {
            return static _ => true;
        }

        OffGridUser? user = await users.FindAsync(name, http.RequestAborted);
        return model => user is not null && AccessPolicy.CanUseModel(user, model);
    }
}
