namespace OffGrid.Governance.Identity;

/// <summary>A sign-in failed (HTTP 401; 429 when locked out; 503 when the directory is unavailable).</summary>
public sealed class SignInException : GovernanceException
{
    /// <summary>The message for both a wrong password and an unknown user.</summary>
    internal const string InvalidCredentialsMessage = "The user name or password is incorrect.";

    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the sign-in failed.</param>
    /// <param name="message">A sentence that can be shown to the caller.</param>
    /// <param name="retryAfter">For <see cref="SignInFailure.LockedOut"/>, how long until the lockout ends.</param>
    /// <param name="innerException">The cause (for example the LDAP error).</param>
    public SignInException(SignInFailure failure, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets why the sign-in failed.</summary>
    public SignInFailure Failure { get; }

    /// <summary>Gets how long until a locked-out user may try again.</summary>
    public TimeSpan? RetryAfter { get; }
}
