namespace OffGrid.Governance.AspNetCore;

/// <summary>An error the governance HTTP layer answers with (401, 403, 429), for <see cref="GovernanceHttpOptions.WriteError"/> to shape.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Code">A stable machine-readable code: <c>invalid_api_key</c>, <c>missing_api_key</c>, <c>forbidden</c>, <c>locked_out</c>, <c>loopback_only</c>.</param>
/// <param name="Message">A sentence for the client.</param>
public sealed record GovernanceHttpError(int StatusCode, string Code, string Message);
