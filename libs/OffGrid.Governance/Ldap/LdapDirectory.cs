using System.DirectoryServices.Protocols;
using System.Net;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Ldap;

/// <summary>
/// Signs users in against an LDAP server or Active Directory (System.DirectoryServices.Protocols): finds the user with the
/// service account, binds as the user to check the password, resolves their groups (nested included) and maps them to an
/// OffGrid role. Group lookups are cached for <see cref="LdapOptions.GroupCacheDuration"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every operation opens its own connection (LDAP connections are not thread-safe), so this type is thread-safe. An empty
/// password is refused before any bind: LDAP treats a simple bind with an empty password as an anonymous bind that succeeds.
/// </para>
/// <para>
/// Errors are <see cref="SignInException"/>s: <see cref="SignInFailure.UnknownUser"/>, <see cref="SignInFailure.InvalidCredentials"/>,
/// <see cref="SignInFailure.AccountDisabled"/>, <see cref="SignInFailure.NoRole"/>, and <see cref="SignInFailure.DirectoryUnavailable"/>
/// when the server cannot be reached, refuses TLS or the service account, or fails a search.
/// </para>
/// </remarks>
public sealed class LdapDirectory : IDisposable
{
    private const int InvalidCredentials = 49;
    private const string MatchingRuleInChain = "1.2.840.113556.1.4.1941";
    private const int MembersPerQuery = 50;

    private readonly LdapOptions _options;
    private readonly ILogger _logger;
    private readonly MemoryCache _groupCache = new(new MemoryCacheOptions());

    /// <summary>Creates the directory client; nothing connects until the first sign-in.</summary>
    /// <param name="options">The server, searches and role mapping.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public LdapDirectory(LdapOptions options, ILogger<LdapDirectory>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid LDAP options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = logger ?? NullLogger<LdapDirectory>.Instance;
    }

    /// <summary>Gets the server as <c>ldap://host:port</c> or <c>ldaps://host:port</c>, for messages.</summary>
    public string ServerAddress => $"{(_options.Security == LdapSecurity.Ldaps ? "ldaps" : "ldap")}://{_options.Host}:{_options.EffectivePort}";

    /// <summary>Checks a user's password against the directory and returns who they are, their groups and their role.</summary>
    /// <param name="userName">The user name as typed.</param>
    /// <param name="password">The password.</param>
    /// <param name="cancellationToken">Cancels waiting for the directory.</param>
    /// <returns>The account.</returns>
    /// <exception cref="SignInException">The sign-in failed; see <see cref="SignInException.Failure"/>.</exception>
    public Task<LdapAccount> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        if (userName.Length == 0 || password.Length == 0)
        {
            throw new SignInException(SignInFailure.InvalidCredentials, SignInException.InvalidCredentialsMessage);
        }

        return Task.Run(() => Authenticate(userName, password), cancellationToken);
    }

    /// <summary>Gets the distinguished names of a user's groups, nested included; cached.</summary>
    /// <param name="userDistinguishedName">The user's DN.</param>
    /// <param name="cancellationToken">Cancels waiting for the directory.</param>
    /// <returns>The group DNs.</returns>
    /// <exception cref="SignInException">The directory is unavailable (<see cref="SignInFailure.DirectoryUnavailable"/>).</exception>
    public Task<IReadOnlyList<string>> GetGroupsAsync(string userDistinguishedName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userDistinguishedName);
        if (TryGetCachedGroups(userDistinguishedName) is { } cached)
        {
            return Task.FromResult(cached);
        }

        return Task.Run(() => Guard(() =>
        {
            using LdapConnection connection = ConnectAsService();
            return GetGroups(connection, userDistinguishedName, memberOf: null);
        }), cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _groupCache.Dispose();

    private LdapAccount Authenticate(string userName, string password) => Guard(() =>
    {
        using LdapConnection service = ConnectAsService();
        string[] attributes = [_options.UserNameAttribute, _options.DisplayNameAttribute, _options.EmailAttribute, "memberOf"];
        var search = new SearchRequest(_options.UserSearchBase, LdapFilter.Format(_options.UserFilter, userName), SearchScope.Subtree, attributes) { SizeLimit = 2 };
        var found = (SearchResponse)service.SendRequest(search, _options.Timeout);
        if (found.Entries.Count == 0)
        {
            throw new SignInException(SignInFailure.UnknownUser, SignInException.InvalidCredentialsMessage);
        }

        if (found.Entries.Count > 1)
        {
            throw new SignInException(SignInFailure.DirectoryUnavailable, $"The user filter matches more than one entry for '{userName}' on {ServerAddress}; make {nameof(LdapOptions.UserFilter)} unique.");
        }

        SearchResultEntry entry = found.Entries[0];
        if (!PasswordMatches(entry.DistinguishedName, password))
        {
            throw IsDisabled(service, entry.DistinguishedName)
                ? new SignInException(SignInFailure.AccountDisabled, $"The directory account '{userName}' is disabled.")
                : new SignInException(SignInFailure.InvalidCredentials, SignInException.InvalidCredentialsMessage);
        }

        if (IsDisabled(service, entry.DistinguishedName))
        {
            throw new SignInException(SignInFailure.AccountDisabled, $"The directory account '{userName}' is disabled.");
        }

        IReadOnlyList<string> groups = GetGroups(service, entry.DistinguishedName, Values(entry, "memberOf"));
        UserRole role = MapRole(groups) ?? _options.DefaultRole
            ?? throw new SignInException(SignInFailure.NoRole, $"The directory account '{userName}' is in no group that gives an OffGrid role.");
        return new LdapAccount
        {
            DistinguishedName = entry.DistinguishedName,
            UserName = Values(entry, _options.UserNameAttribute).FirstOrDefault() ?? userName,
            DisplayName = Values(entry, _options.DisplayNameAttribute).FirstOrDefault(),
            Email = Values(entry, _options.EmailAttribute).FirstOrDefault(),
            Groups = groups,
            Role = role,
        };
    });

    private bool PasswordMatches(string userDistinguishedName, string password)
    {
        using LdapConnection connection = Connect();
        try
        {
            connection.Bind(new NetworkCredential(userDistinguishedName, password));
            return true;
        }
        catch (LdapException ex) when (ex.ErrorCode == InvalidCredentials)
        {
            return false;
        }
    }

    private bool IsDisabled(LdapConnection connection, string userDistinguishedName)
    {
        if (_options.DisabledFilter is null)
        {
            return false;
        }

        var request = new SearchRequest(userDistinguishedName, _options.DisabledFilter, SearchScope.Base, "1.1");
        return ((SearchResponse)connection.SendRequest(request, _options.Timeout)).Entries.Count > 0;
    }

    private IReadOnlyList<string> GetGroups(LdapConnection connection, string userDistinguishedName, IReadOnlyList<string>? memberOf)
    {
        if (TryGetCachedGroups(userDistinguishedName) is { } cached)
        {
            return cached;
        }

        IReadOnlyList<string> groups = _options.GroupMembership switch
        {
            LdapGroupMembership.MemberOfAttribute => memberOf ?? ReadMemberOf(connection, userDistinguishedName),
            LdapGroupMembership.MatchingRuleInChain => SearchGroups(connection, $"(member:{MatchingRuleInChain}:={LdapFilter.Escape(userDistinguishedName)})"),
            _ => ResolveNesting(connection, userDistinguishedName),
        };
        if (_options.GroupCacheDuration > TimeSpan.Zero)
        {
            _groupCache.Set(CacheKey(userDistinguishedName), groups, _options.GroupCacheDuration);
        }

        return groups;
    }

    private IReadOnlyList<string>? TryGetCachedGroups(string userDistinguishedName) =>
        _groupCache.TryGetValue(CacheKey(userDistinguishedName), out IReadOnlyList<string>? cached) ? cached : null;

    private static string CacheKey(string distinguishedName) => distinguishedName.ToLowerInvariant();

    /// <summary>Breadth-first over "groups whose member is one of these", with a depth limit and a visited set against cycles.</summary>
    private List<string> ResolveNesting(LdapConnection connection, string userDistinguishedName)
    {
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ordered = new List<string>();
        List<string> frontier = [userDistinguishedName];
        for (int depth = 0; depth < _options.MaxNestingDepth && frontier.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (string[] chunk in frontier.Chunk(MembersPerQuery))
            {
                string members = string.Concat(chunk.Select(dn => $"(member={LdapFilter.Escape(dn)})(uniqueMember={LdapFilter.Escape(dn)})"));
                foreach (string group in SearchGroups(connection, $"(|{members})"))
                {
                    if (found.Add(group))
                    {
                        ordered.Add(group);
                        next.Add(group);
                    }
                }
            }

            frontier = next;
        }

        return ordered;
    }

    private List<string> SearchGroups(LdapConnection connection, string memberFilter)
    {
        string searchBase = _options.GroupSearchBase.Length > 0 ? _options.GroupSearchBase : _options.UserSearchBase;
        var request = new SearchRequest(searchBase, $"(&{_options.GroupFilter}{memberFilter})", SearchScope.Subtree, "1.1");
        var response = (SearchResponse)connection.SendRequest(request, _options.Timeout);
        return response.Entries.Cast<SearchResultEntry>().Select(e => e.DistinguishedName).ToList();
    }

    private IReadOnlyList<string> ReadMemberOf(LdapConnection connection, string userDistinguishedName)
    {
        var request = new SearchRequest(userDistinguishedName, "(objectClass=*)", SearchScope.Base, "memberOf");
        var response = (SearchResponse)connection.SendRequest(request, _options.Timeout);
        return response.Entries.Count == 0 ? [] : Values(response.Entries[0], "memberOf");
    }

    private UserRole? MapRole(IReadOnlyList<string> groups)
    {
        UserRole? best = null;
        foreach (string group in groups)
        {
            string commonName = FirstRdnValue(group);
            foreach ((string name, UserRole role) in _options.GroupRoles)
            {
                if ((string.Equals(name, group, StringComparison.OrdinalIgnoreCase) || string.Equals(name, commonName, StringComparison.OrdinalIgnoreCase))
                    && (best is null || role.Precedence() > best.Value.Precedence()))
                {
                    best = role;
                }
            }
        }

        return best;
    }

    private static string FirstRdnValue(string distinguishedName)
    {
        int equals = distinguishedName.IndexOf('=', StringComparison.Ordinal);
        int comma = distinguishedName.IndexOf(',', StringComparison.Ordinal);
        return equals < 0 ? distinguishedName : distinguishedName[(equals + 1)..(comma > equals ? comma : distinguishedName.Length)];
    }

    private static IReadOnlyList<string> Values(SearchResultEntry entry, string attribute) =>
        entry.Attributes.Contains(attribute) ? entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>().ToList() : [];

    private LdapConnection ConnectAsService()
    {
        LdapConnection connection = Connect();
        if (_options.BindDn is null)
        {
            connection.AuthType = AuthType.Anonymous;
            connection.Bind();
        }
        else
        {
            connection.Bind(new NetworkCredential(_options.BindDn, _options.BindPassword));
        }

        return connection;
    }

    private LdapConnection Connect()
    {
        var connection = new LdapConnection(new LdapDirectoryIdentifier(_options.Host, _options.EffectivePort, fullyQualifiedDnsHostName: false, connectionless: false))
        {
            AuthType = AuthType.Basic,
            Timeout = _options.Timeout,

            // Never bind implicitly: every bind here is explicit, after TLS is in place.
            AutoBind = false,
        };
        try
        {
            LdapSessionOptions session = connection.SessionOptions;
            session.ProtocolVersion = 3;
            session.ReferralChasing = ReferralChasingOptions.None;
            if (_options.TrustedCertificatesDirectory is { } certificates && !OperatingSystem.IsWindows())
            {
                session.TrustedCertificatesDirectory = certificates;
                session.StartNewTlsSessionContext();
            }

            if (_options.Security == LdapSecurity.Ldaps)
            {
                session.SecureSocketLayer = true;
            }
            else if (_options.Security == LdapSecurity.StartTls)
            {
                // On Linux the connection opens lazily and ldap_start_tls_s needs it open: an anonymous read of the root DSE,
                // which LDAPv3 allows before any bind, opens it without sending credentials.
                connection.SendRequest(new SearchRequest(string.Empty, "(objectClass=*)", SearchScope.Base, "1.1"), _options.Timeout);
                StartTls(session);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // RFC 4511 §4.14.1: a server refuses StartTLS with operationsError while operations are outstanding on the connection, and
    // slapd can still count the root DSE read as outstanding for a moment after it has answered it (about one start in four on
    // a busy machine). The read is finished then, so asking again shortly after is what the RFC leaves the client to do.
    private static void StartTls(LdapSessionOptions session)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                session.StartTransportLayerSecurity(null);
                return;
            }
            catch (TlsOperationException ex) when (attempt < 5 && ex.Response?.ResultCode == ResultCode.OperationsError)
            {
                Thread.Sleep(20 * attempt);
            }
        }
    }

    /// <summary>Turns directory failures into <see cref="SignInFailure.DirectoryUnavailable"/> with the server named.</summary>
    private T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (SignInException)
        {
            throw;
        }
        catch (DirectoryException ex)
        {
            _logger.LogWarning(ex, "LDAP server {Server} failed", ServerAddress);
            string reason = ex is LdapException { ErrorCode: InvalidCredentials }
                ? "the service account was refused"
                : ex.Message.TrimEnd('.');
            throw new SignInException(
                SignInFailure.DirectoryUnavailable,
                $"The LDAP server {ServerAddress} is unavailable ({reason}); directory users cannot sign in, local accounts still can.",
                innerException: ex);
        }
    }
}
