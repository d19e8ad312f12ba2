namespace OffGrid.Governance.Identity;

/// <summary>Why a sign-in with a user name and password failed.</summary>
public enum SignInFailure
{
    /// <summary>The password is wrong. Reported to the client like <see cref="UnknownUser"/>, so that user names cannot be probed.</summary>
    InvalidCredentials = 0,

    /// <summary>Neither OffGrid nor the directory knows the user.</summary>
    UnknownUser = 1,

    /// <summary>The account is disabled (in OffGrid or in the directory).</summary>
    AccountDisabled = 2,

    /// <summary>Too many failed attempts; <see cref="SignInException.RetryAfter"/> says when to try again.</summary>
    LockedOut = 3,

    /// <summary>The directory user is in no group mapped to an OffGrid role, and no default role is set.</summary>
    NoRole = 4,

    /// <summary>The LDAP server could not be reached or failed; local accounts can still sign in.</summary>
    DirectoryUnavailable = 5,
}
