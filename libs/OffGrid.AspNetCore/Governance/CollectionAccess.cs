using OffGrid.Governance.Identity;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// Which knowledge collections the caller of a request (the ambient <see cref="CallerContext"/>) may search or change
/// (<see cref="AccessPolicy.CanUseCollection(OffGridUser, string)"/>): enforced on the knowledge API and on every search, chat
/// with knowledge included. Registered by <c>WithGovernance</c>; without it, or without a caller (an app that mapped the
/// endpoints without key requirements), every collection is open. Thread-safe.
/// </summary>
internal sealed class CollectionAccess(UserDirectory users)
{
    /// <summary>A filter of collection names for the current caller: none for an unknown or disabled account.</summary>
    public async Task<Func<string, bool>> ForCallerAsync(CancellationToken cancellationToken)
    {
        if (CallerContext.Current is not { } caller)
        {
            return static _ => true;
        }

        OffGridUser? user = await users.FindAsync(caller.UserName, cancellationToken).ConfigureAwait(false);
        return name => user is { IsDisabled: false } && AccessPolicy.CanUseCollection(user, name);
    }

    /// <summary>Refuses the call when the current caller may not use one of <paramref name="collections"/>.</summary>
    /// <exception cref="AccessDeniedException"><see cref="AccessDeniedReason.CollectionNotAllowed"/>, naming the first refused collection.</exception>
    public async Task EnsureAllowedAsync(IEnumerable<string> collections, CancellationToken cancellationToken)
    {
        Func<string, bool> allowed = await ForCallerAsync(cancellationToken).ConfigureAwait(false);
        if (collections.FirstOrDefault(c => !allowed(c)) is { } refused)
        {
            throw new AccessDeniedException(
                AccessDeniedReason.CollectionNotAllowed, $"User '{CallerContext.Current?.UserName}' may not use the knowledge collection '{refused}'.");
        }
    }
}
