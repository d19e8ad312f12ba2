using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Governance.Users;
using OffGrid.Testing.Ldap;

namespace OffGrid.Governance.Tests.Ldap;

/// <summary>StartTLS and LDAPS against a real slapd whose certificate comes from a CA only these tests trust.</summary>
public sealed class LdapTlsTests : IAsyncLifetime
{
    private SlapdServer _slapd = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(SlapdServer.IsInstalled, "Debian's slapd is not installed (eng/test.sh installs slapd and ldap-utils).");
        _slapd = await SlapdServer.StartAsync(SlapdServer.DefaultSeed, TestContext.Current.CancellationToken, tls: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_slapd is not null)
        {
            await _slapd.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(LdapSecurity.StartTls)]
    [InlineData(LdapSecurity.Ldaps)]
    public async Task SignsInOverTlsWithTheTrustedCertificateAuthority(LdapSecurity security)
    {
        using var directory = new LdapDirectory(TlsOptions(security, trusted: true));

        LdapAccount alice = await directory.AuthenticateAsync("alice", "alice-pass", TestContext.Current.CancellationToken);

        Assert.Equal(UserRole.Admin, alice.Role);
    }

    [Theory]
    [InlineData(LdapSecurity.StartTls)]
    [InlineData(LdapSecurity.Ldaps)]
    public async Task RefusesACertificateFromAnUntrustedAuthority(LdapSecurity security)
    {
        using var directory = new LdapDirectory(TlsOptions(security, trusted: false));

        SignInException refused = await Assert.ThrowsAsync<SignInException>(() => directory.AuthenticateAsync("alice", "alice-pass", TestContext.Current.CancellationToken));

        Assert.Equal(SignInFailure.DirectoryUnavailable, refused.Failure);
    }

    private LdapOptions TlsOptions(LdapSecurity security, bool trusted)
    {
        LdapOptions options = LdapDirectoryTests.Options(security == LdapSecurity.Ldaps ? _slapd.LdapsPort!.Value : _slapd.Port);
        options.Security = security;
        options.TrustedCertificatesDirectory = trusted ? _slapd.CertificateAuthorityDirectory : null;
        return options;
    }
}
