using System.DirectoryServices.Protocols;
using System.Net;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Governance.Users;
using OffGrid.Testing.Ldap;

namespace OffGrid.Governance.Tests.Ldap;

/// <summary>Sign-in against a real slapd seeded with users, nested groups, a locked account and a service account.</summary>
public sealed class LdapDirectoryTests : IAsyncLifetime
{
    private SlapdServer _slapd = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(SlapdServer.IsInstalled, "Debian's slapd is not installed (eng/test.sh installs slapd and ldap-utils).");
        _slapd = await SlapdServer.StartAsync(SlapdServer.DefaultSeed, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_slapd is not null)
        {
            await _slapd.DisposeAsync();
        }
    }

    internal static LdapOptions Options(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Security = LdapSecurity.None,
        BindDn = SlapdServer.ServiceDn,
        BindPassword = SlapdServer.ServicePassword,
        UserSearchBase = SlapdServer.PeopleBase,
        GroupSearchBase = SlapdServer.GroupsBase,
        DisabledFilter = "(pwdAccountLockedTime=*)",
        GroupRoles = new Dictionary<string, UserRole>(StringComparer.OrdinalIgnoreCase)
        {
            ["offgrid-admins"] = UserRole.Admin,
            ["cn=offgrid-users,ou=groups,dc=offgrid,dc=test"] = UserRole.User,
        },
    };

    [Fact]
    public async Task NestedGroupsGiveTheAdministratorRole()
    {
        using var directory = new LdapDirectory(Options(_slapd.Port));

        LdapAccount alice = await directory.AuthenticateAsync("alice", "alice-pass", TestContext.Current.CancellationToken);

        Assert.Equal(("alice", "Alice Admin", "alice@offgrid.test"), (alice.UserName, alice.DisplayName, alice.Email));
        Assert.Equal($"uid=alice,{SlapdServer.PeopleBase}", alice.DistinguishedName);
        // alice is only in platform-team, which is in offgrid-admins (which, in a cycle, contains platform-team again).
        Assert.Equal([$"cn=platform-team,{SlapdServer.GroupsBase}", $"cn=offgrid-admins,{SlapdServer.GroupsBase}"], alice.Groups);
        Assert.Equal(UserRole.Admin, alice.Role);
    }

    [Fact]
    public async Task AdminWinsOverAuditorAndAuditorOverUser()
    {
        LdapOptions auditors = Options(_slapd.Port);
        auditors.GroupRoles["platform-team"] = UserRole.Auditor;
        auditors.GroupRoles["offgrid-users"] = UserRole.Auditor;
        using var directory = new LdapDirectory(auditors);

        // alice's groups map to admin and auditor; bob's one group to user by DN and to auditor by name.
        Assert.Equal(UserRole.Admin, (await directory.AuthenticateAsync("alice", "alice-pass", TestContext.Current.CancellationToken)).Role);
        Assert.Equal(UserRole.Auditor, (await directory.AuthenticateAsync("bob", "bob-pass", TestContext.Current.CancellationToken)).Role);
    }

    [Fact]
    public async Task UniqueMemberGroupsMapByDistinguishedName()
    {
        using var directory = new LdapDirectory(Options(_slapd.Port));

        LdapAccount bob = await directory.AuthenticateAsync("bob", "bob-pass", TestContext.Current.CancellationToken);

        Assert.Equal(UserRole.User, bob.Role);
        Assert.Equal([$"cn=offgrid-users,{SlapdServer.GroupsBase}"], bob.Groups);
    }

    [Fact]
    public async Task WrongPasswordsUnknownUsersAndEmptyPasswordsAreRefused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new LdapDirectory(Options(_slapd.Port));

        SignInException wrong = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("alice", "bob-pass", ct));
        SignInException unknown = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("mallory", "x", ct));
        SignInException empty = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("alice", string.Empty, ct));
        SignInException wildcard = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("*", "alice-pass", ct));

        Assert.Equal(SignInFailure.InvalidCredentials, wrong.Failure);
        Assert.Equal(SignInFailure.UnknownUser, unknown.Failure);
        Assert.Equal(SignInFailure.InvalidCredentials, empty.Failure);
        Assert.Equal(SignInFailure.UnknownUser, wildcard.Failure);
        // The client cannot tell an unknown user from a wrong password.
        Assert.Equal(wrong.Message, unknown.Message);
    }

    [Fact]
    public async Task ALockedAccountIsReportedAsDisabled()
    {
        using var directory = new LdapDirectory(Options(_slapd.Port));

        SignInException locked = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("carol", "carol-pass", TestContext.Current.CancellationToken));

        Assert.Equal(SignInFailure.AccountDisabled, locked.Failure);
        Assert.Contains("'carol' is disabled", locked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserInNoMappedGroupGetsTheDefaultRoleOrIsRefused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var strict = new LdapDirectory(Options(_slapd.Port));
        LdapOptions lenientOptions = Options(_slapd.Port);
        lenientOptions.DefaultRole = UserRole.User;
        using var lenient = new LdapDirectory(lenientOptions);

        Assert.Equal(SignInFailure.NoRole, (await Assert.ThrowsAsync<SignInException>(() => strict.AuthenticateAsync("dave", "dave-pass", ct))).Failure);
        Assert.Equal(UserRole.User, (await lenient.AuthenticateAsync("dave", "dave-pass", ct)).Role);
    }

    [Fact]
    public async Task GroupLookupsAreCachedUntilTheyExpire()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var cached = new LdapDirectory(Options(_slapd.Port));
        LdapOptions uncachedOptions = Options(_slapd.Port);
        uncachedOptions.GroupCacheDuration = TimeSpan.Zero;
        using var uncached = new LdapDirectory(uncachedOptions);
        string alice = $"uid=alice,{SlapdServer.PeopleBase}";
        Assert.Equal(2, (await cached.GetGroupsAsync(alice, ct)).Count);

        RemoveMember($"cn=platform-team,{SlapdServer.GroupsBase}", alice);

        Assert.Equal(2, (await cached.GetGroupsAsync(alice, ct)).Count);
        Assert.Empty(await uncached.GetGroupsAsync(alice, ct));
    }

    [Fact]
    public async Task AStoppedServerGivesAClearErrorThatNamesIt()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var directory = new LdapDirectory(Options(_slapd.Port));
        Assert.Equal(UserRole.Admin, (await directory.AuthenticateAsync("alice", "alice-pass", ct)).Role);

        await _slapd.StopAsync();

        SignInException down = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("alice", "alice-pass", ct));
        Assert.Equal(SignInFailure.DirectoryUnavailable, down.Failure);
        Assert.StartsWith($"The LDAP server ldap://127.0.0.1:{_slapd.Port} is unavailable (", down.Message, StringComparison.Ordinal);
        Assert.EndsWith("local accounts still can.", down.Message, StringComparison.Ordinal);
        // Group lookups already cached still answer.
        Assert.Equal(2, (await directory.GetGroupsAsync($"uid=alice,{SlapdServer.PeopleBase}", ct)).Count);
    }

    [Fact]
    public async Task ARefusedServiceAccountAndARefusedStartTlsAreDirectoryErrors()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        LdapOptions badService = Options(_slapd.Port);
        badService.BindPassword = "wrong";
        LdapOptions startTls = Options(_slapd.Port);
        startTls.Security = LdapSecurity.StartTls;

        using var wrongService = new LdapDirectory(badService);
        SignInException service = await Assert.ThrowsAsync<SignInException>(() => wrongService.AuthenticateAsync("alice", "alice-pass", ct));
        Assert.Equal(SignInFailure.DirectoryUnavailable, service.Failure);
        Assert.Contains("the service account was refused", service.Message, StringComparison.Ordinal);

        // This slapd has no certificate, so StartTLS must fail rather than fall back to plain LDAP.
        using var tls = new LdapDirectory(startTls);
        Assert.Equal(SignInFailure.DirectoryUnavailable, (await Assert.ThrowsAsync<SignInException>(() => tls.AuthenticateAsync("alice", "alice-pass", ct))).Failure);
    }

    [Fact]
    public void InvalidOptionsAreListed()
    {
        var options = new LdapOptions { UserFilter = "uid=%s", BindDn = "cn=x" };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("UserSearchBase", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("UserFilter", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("BindDn", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new LdapDirectory(options));
    }

    private void RemoveMember(string group, string member)
    {
        using var connection = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", _slapd.Port)) { AuthType = AuthType.Basic };
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind(new NetworkCredential(SlapdServer.RootDn, SlapdServer.RootPassword));
        connection.SendRequest(new ModifyRequest(group, DirectoryAttributeOperation.Delete, "member", member));
    }
}
