using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Testing.Ldap;
using OffGrid.Governance.Tests.Ldap;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.Identity;

/// <summary>Local accounts and directory accounts through one sign-in, with lockout, against a real slapd.</summary>
public sealed class SignInServiceTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero));
    private SlapdServer? _slapd;
    private LdapDirectory? _directory;
    private SignInService _signIn = null!;
    private UserDirectory _users = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(SlapdServer.IsInstalled, "Debian's slapd is not installed (eng/test.sh installs slapd and ldap-utils).");
        _slapd = await SlapdServer.StartAsync(SlapdServer.DefaultSeed, TestContext.Current.CancellationToken);
        _directory = new LdapDirectory(LdapDirectoryTests.Options(_slapd.Port));
        _users = new UserDirectory(_home.Options);
        _signIn = new SignInService(_home.Options, directory: _directory, timeProvider: _time);
        await _users.AddAsync("root", UserRole.Admin, "local-admin-pass", TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _directory?.Dispose();
        if (_slapd is not null)
        {
            await _slapd.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task DirectoryUsersGetAnAccountWithTheRoleOfTheirGroups()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;

        OffGridUser alice = await _signIn.SignInAsync("alice", "alice-pass", ct);

        Assert.Equal((UserRole.Admin, UserSource.Ldap, "Alice Admin"), (alice.Role, alice.Source, alice.DisplayName));
        Assert.Equal(alice, await _users.GetAsync("alice", ct));
        await Assert.ThrowsAsync<GovernanceArgumentException>(() => _users.SetPasswordAsync("alice", "a-local-password", ct));

        // An administrator can still shut a directory account out locally.
        await _users.SetDisabledAsync("alice", true, ct);
        Assert.Equal(SignInFailure.AccountDisabled, (await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("alice", "alice-pass", ct))).Failure);
    }

    [Fact]
    public async Task LocalAdministratorsStillSignInWhileTheDirectoryIsDown()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _signIn.SignInAsync("bob", "bob-pass", ct);

        await _slapd!.StopAsync();

        Assert.Equal(UserRole.Admin, (await _signIn.SignInAsync("root", "local-admin-pass", ct)).Role);
        SignInException down = await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("bob", "bob-pass", ct));
        Assert.Equal(SignInFailure.DirectoryUnavailable, down.Failure);
        Assert.Equal(503, GovernanceErrors.GetStatusCode(down));
        Assert.Equal(SignInFailure.InvalidCredentials, (await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("root", "wrong-password", ct))).Failure);
    }

    [Fact]
    public async Task RepeatedFailuresLockTheUserNameOutForAWhile()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        for (int attempt = 1; attempt < 5; attempt++)
        {
            Assert.Equal(SignInFailure.InvalidCredentials, (await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("root", "guess-" + attempt, ct))).Failure);
        }

        SignInException locked = await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("root", "guess-5", ct));
        Assert.Equal(SignInFailure.LockedOut, locked.Failure);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.RetryAfter);
        // Even the right password is refused while locked out, and other users are not affected.
        Assert.Equal(SignInFailure.LockedOut, (await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("ROOT", "local-admin-pass", ct))).Failure);
        Assert.Equal(UserRole.User, (await _signIn.SignInAsync("bob", "bob-pass", ct)).Role);

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal("root", (await _signIn.SignInAsync("root", "local-admin-pass", ct)).Name);
    }

    [Fact]
    public async Task UnknownUsersAreRefusedLikeWrongPasswords()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        SignInException unknown = await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("nobody", "whatever-pass", ct));
        SignInException wrong = await Assert.ThrowsAsync<SignInException>(() => _signIn.SignInAsync("bob", "whatever-pass", ct));

        Assert.Equal((SignInFailure.UnknownUser, SignInFailure.InvalidCredentials), (unknown.Failure, wrong.Failure));
        Assert.Equal(unknown.Message, wrong.Message);
    }
}
