using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.AspNetCore;

/// <summary>Multi-user mode over real Kestrel and real HTTP: keys, roles, lockout, quota headers and one audit entry per request.</summary>
public sealed class ApiKeyAuthenticationTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
    private TinyLlama _llama = null!;
    private GovernedApp _app = null!;
    private string _userKey = null!;
    private string _adminKey = null!;

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _llama = await TinyLlama.StartAsync();
        var users = new UserDirectory(_home.Options);
        await users.AddAsync("ada", UserRole.Admin, cancellationToken: ct);
        await users.AddAsync("bob", UserRole.User, cancellationToken: ct);
        var keys = new ApiKeyStore(_home.Options);
        _adminKey = (await keys.CreateAsync("ada", cancellationToken: ct)).Secret;
        _userKey = (await keys.CreateAsync("bob", cancellationToken: ct)).Secret;
        _app = await GovernedApp.StartAsync(_home, GovernanceMode.MultiUser, _time, _llama.Client);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _llama.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task KeysAreReadFromBearerAndXApiKeyAndRolesAreEnforced()
    {
        Assert.Equal(("ok", HttpStatusCode.OK), await GetAsync("/health", key: null));
        Assert.Equal(("bob", HttpStatusCode.OK), await GetAsync("/v1/whoami", _userKey));
        Assert.Equal(("ada", HttpStatusCode.OK), await GetAsync("/v1/whoami", _adminKey, header: OffGridAuthenticationDefaults.ApiKeyHeader));
        Assert.Equal(("true", HttpStatusCode.OK), await GetAsync("/v1/admin/audit/verify", _adminKey));

        (string body, HttpStatusCode status) = await GetAsync("/v1/admin/audit/verify", _userKey);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("forbidden", ErrorCode(body));
    }

    [Fact]
    public async Task MissingAndInvalidKeysGet401InOpenAisErrorShape()
    {
        using HttpResponseMessage missing = await _app.Client.GetAsync("/v1/whoami", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        using JsonDocument error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("missing_api_key", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("authentication_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());

        Assert.Equal("invalid_api_key", ErrorCode((await GetAsync("/v1/whoami", _userKey[..^2] + "xx")).Body));
        Assert.Equal("invalid_api_key", ErrorCode((await GetAsync("/v1/whoami", "not-a-key")).Body));
        // A route that declares nothing still needs a key (the fallback policy).
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/undeclared", key: null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/undeclared", _userKey)).Status);
    }

    [Fact]
    public async Task RevokedKeysStopWorkingAtTheNextRequest()
    {
        var keys = new ApiKeyStore(_home.Options);
        ApiKeyInfo bobs = Assert.Single(await keys.ListAsync("bob", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/v1/whoami", _userKey)).Status);

        await keys.RevokeAsync(bobs.Id, TestContext.Current.CancellationToken);

        (string body, HttpStatusCode status) = await GetAsync("/v1/whoami", _userKey);
        Assert.Equal((HttpStatusCode.Unauthorized, "revoked_api_key"), (status, ErrorCode(body)));
    }

    [Fact]
    public async Task RepeatedInvalidKeysLockTheAddressOut()
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/v1/whoami", "og_guess" + attempt)).Status);
        }

        using HttpResponseMessage locked = await SendAsync("/v1/whoami", "og_guess5");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter!.Delta);
        Assert.Equal("locked_out", ErrorCode(await locked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync("/v1/whoami", _userKey)).Status);

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/v1/whoami", _userKey)).Status);
    }

    [Fact]
    public async Task AQuotaRefusalIs429WithRateLimitHeaders()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _app.Services.GetRequiredService<QuotaService>().SetUserLimitsAsync("bob", new QuotaLimits { RequestsPerMinute = 1 }, ct);

        using HttpResponseMessage first = await SendAsync("/v1/chat", _userKey, HttpMethod.Post, "hello");
        _time.Advance(TimeSpan.FromSeconds(20));
        using HttpResponseMessage second = await SendAsync("/v1/chat", _userKey, HttpMethod.Post, "hello again");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(40), second.Headers.RetryAfter!.Delta);
        Assert.Equal("1", second.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("0", second.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("40s", second.Headers.GetValues("x-ratelimit-reset-requests").Single());
        Assert.Equal("quota_exceeded", ErrorCode(await second.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task EveryRequestGetsOneAuditEntryWithItsModelUse()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await GetAsync("/health", key: null);
        await GetAsync("/v1/whoami", key: null);
        using HttpResponseMessage chat = await SendAsync("/v1/chat", _userKey, HttpMethod.Post, "hello");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

        List<AuditEntry> entries = await _app.Services.GetRequiredService<AuditLog>().QueryAsync(cancellationToken: ct).ToListAsync(ct);

        Assert.Equal(2, entries.Count);
        Assert.Equal((null, "GET", "/v1/whoami", 401), (entries[0].Event.UserName, entries[0].Event.Method, entries[0].Event.Route, entries[0].Event.Status));
        AuditEvent call = entries[1].Event;
        Assert.Equal(("bob", "/v1/chat", "tiny", 200, "127.0.0.1"), (call.UserName, call.Route, call.Model, call.Status, call.ClientAddress));
        Assert.Equal(_userKey[..15], call.KeyId);
        Assert.True(call.InputTokens > 0 && call.OutputTokens > 0);
        Assert.True((await _app.Services.GetRequiredService<AuditLog>().VerifyAsync(ct)).IsIntact);
    }

    [Fact]
    public void EveryEndpointIsClassifiedOrReportedAsUnclassified()
    {
        Dictionary<string, EndpointAccess> access = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .ToDictionary(e => e.RoutePattern.RawText!, OffGridEndpointAccess.Classify);

        Assert.Equal(EndpointAccess.Public, access["/health"]);
        Assert.Equal(EndpointAccess.User, access["/v1/whoami"]);
        Assert.Equal(EndpointAccess.User, access["/v1/chat"]);
        Assert.Equal(EndpointAccess.Admin, access["/v1/admin/audit/verify"]);
        Assert.Equal(EndpointAccess.Unclassified, access["/undeclared"]);
    }

    private static string? ErrorCode(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString();

    private async Task<(string Body, HttpStatusCode Status)> GetAsync(string path, string? key, string header = "Authorization")
    {
        using HttpResponseMessage response = await SendAsync(path, key, header: header);
        return (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(string path, string? key, HttpMethod? method = null, string? body = null, string header = "Authorization")
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        if (key is not null)
        {
            if (header == "Authorization")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.Add(header, key);
            }
        }

        return _app.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
