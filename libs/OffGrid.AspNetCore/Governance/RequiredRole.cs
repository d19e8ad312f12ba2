using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// Endpoint metadata: the role an endpoint needs when keys are required, where it differs from its group's. Set by the
/// <c>Map*</c> methods on operations that change the server for everyone (pulling and deleting models, benchmarks that
/// hold an engine outside quotas); <c>RequireOffGridApiKey</c> turns it into an authorization policy.
/// </summary>
/// <param name="Role">The role needed.</param>
internal sealed record RequiredRole(UserRole Role)
{
    /// <summary>The metadata of administrator-only operations.</summary>
    public static RequiredRole Admin { get; } = new(UserRole.Admin);
}
