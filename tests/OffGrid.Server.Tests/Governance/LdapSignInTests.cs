using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Governance.Users;
using OffGrid.Testing;
using OffGrid.Testing.Ldap;

namespace OffGrid.Server.Tests.Governance;

/// <summary>
/// Directory users of a real slapd sign in to the whole server configured from <c>Server:Auth:Ldap</c> switches, get a key
/// whose role comes from their groups, and local accounts keep signing in while the directory is down.
/// </summary>
public sealed class LdapSignInTests : IAsyncLifetime
{
    private readonly string _home = TestPaths.NewTempDir("offgrid-ldap-server");
    private SlapdServer? _slapd;

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

        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task DirectoryUsersSignInWithTheRoleOfTheirGroups()
    {
        await using WebApplication app = MultiUserServer.Create(
            _home,
            "--Server:Auth:Ldap:Host=127.0.0.1",
            $"--Server:Auth:Ldap:Port={_slapd!.Port}",
            "--Server:Auth:Ldap:Security=None",
            $"--Server:Auth:Ldap:BindDn={SlapdServer.ServiceDn}",
            $"--Server:Auth:Ldap:BindPassword={SlapdServer.ServicePassword}",
            $"--Server:Auth:Ldap:UserSearchBase={SlapdServer.PeopleBase}",
            $"--Server:Auth:Ldap:GroupSearchBase={SlapdServer.GroupsBase}",
            "--Server:Auth:Ldap:GroupRoles:offgrid-admins=Admin",
            "--Server:Auth:Ldap:GroupRoles:offgrid-users=User");
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.Services.GetRequiredService<UserDirectory>().AddAsync("root", UserRole.Admin, "local admin password", TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        string alice = await SignInAsync(http, "alice", "alice-pass", expectedStatus: 201);
        string bob = await SignInAsync(http, "bob", "bob-pass", expectedStatus: 201);
        using HttpClient asAlice = Authorized(http, alice);
        using HttpClient asBob = Authorized(http, bob);
        (HttpResponseMessage aliceUsers, JsonElement users) = await MultiUserServer.SendAsync(asAlice, HttpMethod.Get, "/v1/users");
        (HttpResponseMessage bobUsers, _) = await MultiUserServer.SendAsync(asBob, HttpMethod.Get, "/v1/users");

        Assert.Equal(200, (int)aliceUsers.StatusCode);
        JsonElement aliceAccount = users.GetProperty("data").EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice");
        Assert.Equal(("admin", "ldap"), (aliceAccount.GetProperty("role").GetString(), aliceAccount.GetProperty("source").GetString()));
        Assert.Equal(403, (int)bobUsers.StatusCode);

        await _slapd.StopAsync();
        (HttpResponseMessage down, JsonElement downBody) = await MultiUserServer.SendAsync(http, HttpMethod.Post, "/v1/auth/login", new { username = "bob", password = "bob-pass" });
        Assert.Equal(503, (int)down.StatusCode);
        Assert.Equal("directory_unavailable", downBody.GetProperty("error").GetProperty("code").GetString());
        await SignInAsync(http, "root", "local admin password", expectedStatus: 201);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<string> SignInAsync(HttpClient http, string user, string password, int expectedStatus)
    {
        (HttpResponseMessage response, JsonElement body) = await MultiUserServer.SendAsync(http, HttpMethod.Post, "/v1/auth/login", new { username = user, password });
        Assert.True(expectedStatus == (int)response.StatusCode, $"{user}: {(int)response.StatusCode} {body}");
        return body.GetProperty("key").GetString()!;
    }

    private static HttpClient Authorized(HttpClient http, string key)
    {
        var client = new HttpClient { BaseAddress = http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
