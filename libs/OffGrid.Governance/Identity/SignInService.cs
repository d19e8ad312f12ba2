using OffGrid.Governance.Ldap;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Identity;

/// <summary>
/// Signs users in with a user name and password: local accounts against their OffGrid password, everyone else against LDAP
/// when a <see cref="LdapDirectory"/> is given. Failed attempts lock the user name out (see <see cref="LockoutOptions"/>).
/// </summary>
/// <remarks>
/// <para>
/// A local account always signs in locally, never through the directory, so local administrators keep working while LDAP is
/// down. A directory user's OffGrid account is created or refreshed (role from groups) at each successful sign-in; an
/// administrator can still disable it locally.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class SignInService
{
    private readonly UserDirectory _users;
    private readonly FailedAttemptLockout _lockout;
    private readonly LdapDirectory? _directory;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="options">Where accounts live and the lockout thresholds.</param>
    /// <param name="lockout">The failure counter to share with other sign-in paths; a new one from <see cref="GovernanceOptions.Lockout"/> when <see langword="null"/>.</param>
    /// <param name="directory">The LDAP directory; <see langword="null"/> signs in local accounts only.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public SignInService(GovernanceOptions options, FailedAttemptLockout? lockout = null, LdapDirectory? directory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _users = new UserDirectory(options, timeProvider);
        _time = timeProvider ?? TimeProvider.System;
        _lockout = lockout ?? new FailedAttemptLockout(options.Lockout, _time);
        _directory = directory;
    }

    /// <summary>Checks a user name and password.</summary>
    /// <param name="userName">The user name.</param>
    /// <param name="password">The password.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The signed-in user's account.</returns>
    /// <exception cref="SignInException">The sign-in failed; see <see cref="SignInException.Failure"/>.</exception>
    public async Task<OffGridUser> SignInAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        string lockoutKey = "user:" + userName.ToLowerInvariant();
        if (_lockout.GetLockoutEnd(lockoutKey) is { } until)
        {
            throw LockedOut(userName, until);
        }

        try
        {
            OffGridUser user = await AuthenticateAsync(userName, password, cancellationToken).ConfigureAwait(false);
            if (user.IsDisabled)
            {
                throw new SignInException(SignInFailure.AccountDisabled, $"The account '{user.Name}' is disabled.");
            }

            _lockout.RecordSuccess(lockoutKey);
            return user;
        }
        catch (SignInException ex) when (ex.Failure is SignInFailure.InvalidCredentials or SignInFailure.UnknownUser)
        {
            GovernanceTelemetry.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("method", "password"));
            if (_lockout.RecordFailure(lockoutKey) is { } lockedUntil)
            {
                throw LockedOut(userName, lockedUntil);
            }

            throw;
        }
    }

    private async Task<OffGridUser> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
    {
        OffGridUser? local = UserNames.IsValid(userName) ? await _users.FindAsync(userName, cancellationToken).ConfigureAwait(false) : null;
        if (local is { Source: UserSource.Local })
        {
            return await _users.VerifyPasswordAsync(local.Name, password, cancellationToken).ConfigureAwait(false)
                ?? throw new SignInException(SignInFailure.InvalidCredentials, SignInException.InvalidCredentialsMessage);
        }

        if (_directory is null)
        {
            throw new SignInException(SignInFailure.UnknownUser, SignInException.InvalidCredentialsMessage);
        }

        LdapAccount account = await _directory.AuthenticateAsync(userName, password, cancellationToken).ConfigureAwait(false);
        return await _users.SaveDirectoryAccountAsync(account, cancellationToken).ConfigureAwait(false);
    }

    private SignInException LockedOut(string userName, DateTimeOffset until)
    {
        TimeSpan wait = until - _time.GetUtcNow();
        return new SignInException(
            SignInFailure.LockedOut,
            $"Too many failed sign-ins for '{userName}'; try again in {Math.Ceiling(wait.TotalMinutes)} minutes.",
            retryAfter: wait);
    }
}
