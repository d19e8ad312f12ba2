using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OffGrid.Testing;

namespace OffGrid.Testing.Ldap;

/// <summary>
/// A real OpenLDAP <c>slapd</c> on 127.0.0.1 and a free port, configured from a <c>slapd.conf</c> written here (mdb backend,
/// ppolicy overlay for locked accounts) and seeded offline with <c>slapadd</c>; with TLS, a second port speaks LDAPS and the
/// first accepts StartTLS, with a server certificate issued by a throwaway CA (<see cref="CertificateAuthorityDirectory"/>).
/// Debian's <c>slapd</c> package provides it; eng/test.sh installs it.
/// </summary>
internal sealed class SlapdServer : IAsyncDisposable
{
    public const string Suffix = "dc=offgrid,dc=test";
    public const string RootDn = "cn=admin," + Suffix;
    public const string RootPassword = "root-secret";
    public const string ServiceDn = "cn=reader," + Suffix;
    public const string ServicePassword = "reader-secret";
    public const string PeopleBase = "ou=people," + Suffix;
    public const string GroupsBase = "ou=groups," + Suffix;

    private const string Slapd = "/usr/sbin/slapd";
    private const string Slapadd = "/usr/sbin/slapadd";

    private readonly string _directory;
    private Process? _process;

    private SlapdServer(string directory, int port, int? ldapsPort)
    {
        _directory = directory;
        Port = port;
        LdapsPort = ldapsPort;
    }

    public static bool IsInstalled => File.Exists(Slapd) && File.Exists(Slapadd);

    public int Port { get; }

    /// <summary>The LDAPS port, when started with TLS.</summary>
    public int? LdapsPort { get; }

    /// <summary>A folder holding only the CA certificate that issued the server's, when started with TLS.</summary>
    public string CertificateAuthorityDirectory => Path.Combine(_directory, "ca");

    /// <summary>Users (password = name + "-pass"), groups with nesting and a cycle, a locked account, a service account.</summary>
    public static string DefaultSeed => $"""
        dn: {Suffix}
        objectClass: dcObject
        objectClass: organization
        o: OffGrid
        dc: offgrid

        dn: {ServiceDn}
        objectClass: simpleSecurityObject
        objectClass: organizationalRole
        cn: reader
        userPassword: {ServicePassword}

        dn: {PeopleBase}
        objectClass: organizationalUnit
        ou: people

        dn: {GroupsBase}
        objectClass: organizationalUnit
        ou: groups

        dn: ou=policies,{Suffix}
        objectClass: organizationalUnit
        ou: policies

        dn: cn=default,ou=policies,{Suffix}
        objectClass: pwdPolicy
        objectClass: device
        cn: default
        pwdAttribute: userPassword
        pwdLockout: TRUE

        {Person("alice", "Alice Admin", "alice@offgrid.test")}
        {Person("bob", "Bob User", "bob@offgrid.test")}
        {Person("carol", "Carol Locked", null)}pwdAccountLockedTime: 000001010000Z

        {Person("dave", "Dave Nogroup", null)}
        dn: cn=platform-team,{GroupsBase}
        objectClass: groupOfNames
        cn: platform-team
        member: uid=alice,{PeopleBase}
        member: cn=offgrid-admins,{GroupsBase}

        dn: cn=offgrid-admins,{GroupsBase}
        objectClass: groupOfNames
        cn: offgrid-admins
        member: cn=platform-team,{GroupsBase}

        dn: cn=offgrid-users,{GroupsBase}
        objectClass: groupOfUniqueNames
        cn: offgrid-users
        uniqueMember: uid=bob,{PeopleBase}
        uniqueMember: uid=carol,{PeopleBase}

        """;

    public static async Task<SlapdServer> StartAsync(string seed, CancellationToken cancellationToken, bool tls = false)
    {
        string directory = TestPaths.NewTempDir("offgrid-slapd");
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var server = new SlapdServer(directory, FreePort(), tls ? FreePort() : null);
        string tlsConfig = tls ? await WriteCertificatesAsync(directory, cancellationToken) : string.Empty;
        string config = Path.Combine(directory, "slapd.conf");
        await File.WriteAllTextAsync(config, $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include /etc/ldap/schema/nis.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload ppolicy
            pidfile {directory}/slapd.pid
            database mdb
            maxsize 16777216
            suffix "{Suffix}"
            rootdn "{RootDn}"
            rootpw {RootPassword}
            directory {directory}/data
            overlay ppolicy
            ppolicy_default "cn=default,ou=policies,{Suffix}"
            {tlsConfig}
            access to attrs=userPassword by self write by anonymous auth by * none
            access to * by users read by * none

            """, cancellationToken);
        string ldif = Path.Combine(directory, "seed.ldif");
        await File.WriteAllTextAsync(ldif, seed, cancellationToken);
        await RunAsync(Slapadd, ["-f", config, "-l", ldif], cancellationToken);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>Stops slapd, as an administrator or a crash would, leaving its data in place.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Person(string uid, string name, string? mail) => $"""
        dn: uid={uid},{PeopleBase}
        objectClass: inetOrgPerson
        uid: {uid}
        cn: {name}
        sn: {name.Split(' ')[^1]}
        userPassword: {uid}-pass
        {(mail is null ? string.Empty : "mail: " + mail + "\n")}
        """;

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Slapd)
        {
            ArgumentList = { "-f", Path.Combine(_directory, "slapd.conf"), "-h", $"ldap://127.0.0.1:{Port}/" + (LdapsPort is { } ldaps ? $" ldaps://127.0.0.1:{ldaps}/" : string.Empty), "-d", "0" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        for (int attempt = 0; attempt < 200; attempt++)
        {
            Assert.False(_process.HasExited, $"slapd exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException("slapd did not start listening within 10 s.");
    }

    /// <summary>A CA and a server certificate for 127.0.0.1 and localhost, as PEM files; returns the slapd TLS directives.</summary>
    private static async Task<string> WriteCertificatesAsync(string directory, CancellationToken cancellationToken)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=OffGrid Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using X509Certificate2 server = serverRequest.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        string caDirectory = Path.Combine(directory, "ca");
        Directory.CreateDirectory(caDirectory);
        await File.WriteAllTextAsync(Path.Combine(caDirectory, "ca.pem"), ca.ExportCertificatePem(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "server.pem"), server.ExportCertificatePem(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem(), cancellationToken);
        return $"""
            TLSCACertificateFile {caDirectory}/ca.pem
            TLSCertificateFile {directory}/server.pem
            TLSCertificateKeyFile {directory}/server.key
            """;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} failed: {await error}");
    }
}
