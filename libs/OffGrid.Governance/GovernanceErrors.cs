using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.Governance;

/// <summary>The one mapping of governance errors to HTTP status codes, used by servers and by the audit log's status column.</summary>
public static class GovernanceErrors
{
    /// <summary>The status recorded for a call its client cancelled (nginx's "client closed request").</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>Gets the HTTP status code for <paramref name="exception"/>.</summary>
    /// <param name="exception">A governance error.</param>
    /// <returns>400, 401, 403, 404, 409, 429, 503 or 500.</returns>
    public static int GetStatusCode(GovernanceException exception) => exception switch
    {
        QuotaExceededException => 429,
        AccessDeniedException { Reason: AccessDeniedReason.NoCaller } => 401,
        AccessDeniedException => 403,
        SignInException { Failure: SignInFailure.LockedOut } => 429,
        SignInException { Failure: SignInFailure.DirectoryUnavailable } => 503,
        SignInException => 401,
        UnknownUserException or UnknownApiKeyException => 404,
        UserExistsException => 409,
        GovernanceArgumentException => 400,
        AuditIntegrityException => 409,
        _ => 500,
    };

    /// <summary>Gets the status to record for a model call that ended with <paramref name="exception"/> (<see langword="null"/>: success).</summary>
    /// <param name="exception">The error, or <see langword="null"/>.</param>
    /// <returns>200, a governance status, 499 when cancelled, else 500.</returns>
    internal static int GetCallStatus(Exception? exception) => exception switch
    {
        null => 200,
        GovernanceException governance => GetStatusCode(governance),
        OperationCanceledException => ClientClosedRequest,
        _ => 500,
    };
}
