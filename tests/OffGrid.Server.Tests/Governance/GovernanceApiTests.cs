using System.Net.Http.Json;
using System.Text.Json;
using OffGrid.Governance.Users;

namespace OffGrid.Server.Tests.Governance;

/// <summary><c>/v1/users</c>, <c>/v1/keys</c>, <c>/v1/audit/*</c> and <c>/v1/auth/login</c> on the whole multi-user server.</summary>
public sealed class GovernanceApiTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAdministratorManagesUsersAndTheirQuotas()
    {
        using HttpClient admin = server.Client(server.AdminKey);

        (HttpResponseMessage created, JsonElement dan) = await MultiUserServer.SendAsync(admin, HttpMethod.Post, "/v1/users", new { name = "dan", role = "user", models = new[] { "stories*" } });
        (HttpResponseMessage duplicate, JsonElement duplicateBody) = await MultiUserServer.SendAsync(admin, HttpMethod.Post, "/v1/users", new { name = "DAN" });
        (HttpResponseMessage badRole, JsonElement badRoleBody) = await MultiUserServer.SendAsync(admin, HttpMethod.Post, "/v1/users", new { name = "eve", role = "root" });
        (_, JsonElement promoted) = await MultiUserServer.SendAsync(admin, HttpMethod.Patch, "/v1/users/dan", new { role = "auditor", disabled = true });
        (_, JsonElement quota) = await MultiUserServer.SendAsync(admin, HttpMethod.Put, "/v1/users/dan/quota", new { requests_per_minute = 30, concurrent_requests = 2 });
        (_, JsonElement list) = await MultiUserServer.SendAsync(admin, HttpMethod.Get, "/v1/users");
        (HttpResponseMessage deleted, _) = await MultiUserServer.SendAsync(admin, HttpMethod.Delete, "/v1/users/dan");
        (HttpResponseMessage missing, JsonElement missingBody) = await MultiUserServer.SendAsync(admin, HttpMethod.Get, "/v1/users/dan");

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal(["stories*"], dan.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(409, (int)duplicate.StatusCode);
        Assert.Equal("user_exists", duplicateBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(400, (int)badRole.StatusCode);
        Assert.Equal("role", badRoleBody.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("auditor", promoted.GetProperty("role").GetString());
        Assert.True(promoted.GetProperty("disabled").GetBoolean());
        Assert.Equal(30, quota.GetProperty("limits").GetProperty("requests_per_minute").GetInt32());
        Assert.False(quota.GetProperty("limits").TryGetProperty("tokens_per_day", out _));
        Assert.Contains(list.GetProperty("data").EnumerateArray(), u => u.GetProperty("name").GetString() == "dan");
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("user_not_found", missingBody.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task AUserManagesOnlyTheirOwnKeys()
    {
        string fay = await server.AddUserAsync("fay", UserRole.User);
        using HttpClient http = server.Client(fay);

        (HttpResponseMessage created, JsonElement key) = await MultiUserServer.SendAsync(http, HttpMethod.Post, "/v1/keys", new { name = "notebook", expires_in_days = 30 });
        string secret = key.GetProperty("key").GetString()!;
        string id = key.GetProperty("id").GetString()!;
        using HttpClient notebook = server.Client(secret);
        (HttpResponseMessage works, _) = await MultiUserServer.SendAsync(notebook, HttpMethod.Get, "/v1/models");
        (_, JsonElement mine) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/keys");
        (HttpResponseMessage others, _) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/keys?user=ada");
        (HttpResponseMessage forAda, _) = await MultiUserServer.SendAsync(http, HttpMethod.Post, "/v1/keys", new { user = "ada" });
        (_, JsonElement adaList) = await MultiUserServer.SendAsync(server.Client(server.AdminKey), HttpMethod.Get, "/v1/keys?user=ada");
        string adasKey = adaList.GetProperty("data")[0].GetProperty("id").GetString()!;
        (HttpResponseMessage revokeOthers, _) = await MultiUserServer.SendAsync(http, HttpMethod.Delete, $"/v1/keys/{adasKey}");
        (_, JsonElement revoked) = await MultiUserServer.SendAsync(http, HttpMethod.Delete, $"/v1/keys/{id}");
        (HttpResponseMessage afterRevoke, JsonElement afterRevokeBody) = await MultiUserServer.SendAsync(notebook, HttpMethod.Get, "/v1/models");

        Assert.Equal(201, (int)created.StatusCode);
        Assert.StartsWith("og_", secret, StringComparison.Ordinal);
        Assert.True(key.TryGetProperty("expires_at", out _));
        Assert.Equal(200, (int)works.StatusCode);
        Assert.All(mine.GetProperty("data").EnumerateArray(), k => Assert.Equal("fay", k.GetProperty("user").GetString()));
        Assert.All(mine.GetProperty("data").EnumerateArray(), k => Assert.False(k.TryGetProperty("key", out _)));
        Assert.Equal(403, (int)others.StatusCode);
        Assert.Equal(403, (int)forAda.StatusCode);
        Assert.Equal(404, (int)revokeOthers.StatusCode);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal(401, (int)afterRevoke.StatusCode);
        Assert.Equal("revoked_api_key", afterRevokeBody.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnEmbeddingRequestIsAuditedWithItsModelAndTokens()
    {
        string ivy = await server.AddUserAsync("ivy", UserRole.User);
        using HttpClient user = server.Client(ivy);
        using HttpClient auditor = server.Client(server.AuditorKey);

        using HttpResponseMessage embed = await user.PostAsJsonAsync("/v1/embeddings", new { model = "stories", input = new[] { "Lily had a ball.", "Tom ate." } }, Token);
        (_, JsonElement entries) = await MultiUserServer.SendAsync(auditor, HttpMethod.Get, "/v1/audit/export?user=ivy");

        Assert.Equal(200, (int)embed.StatusCode);
        long promptTokens = JsonDocument.Parse(await embed.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        JsonElement entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal(("/v1/embeddings", "stories", 200), (entry.GetProperty("route").GetString(), entry.GetProperty("model").GetString(), entry.GetProperty("status").GetInt32()));
        Assert.Equal(promptTokens, entry.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task AnAuditorExportsAndVerifiesWhatHappened()
    {
        string gus = await server.AddUserAsync("gus", UserRole.User);
        using HttpClient user = server.Client(gus);
        using HttpClient auditor = server.Client(server.AuditorKey);
        using HttpResponseMessage chat = await user.PostAsJsonAsync("/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 3 }, Token);
        Assert.Equal(200, (int)chat.StatusCode);
        (HttpResponseMessage refusedModel, _) = await MultiUserServer.SendAsync(auditor, HttpMethod.Post, "/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "hi" } } });

        (_, JsonElement verify) = await MultiUserServer.SendAsync(auditor, HttpMethod.Get, "/v1/audit/verify");
        (HttpResponseMessage json, JsonElement entries) = await MultiUserServer.SendAsync(auditor, HttpMethod.Get, "/v1/audit/export?user=gus");
        using HttpResponseMessage csv = await auditor.GetAsync("/v1/audit/export?format=csv&user=gus&status=200", Token);
        using HttpResponseMessage xlsx = await auditor.GetAsync("/v1/audit/export?format=xlsx", Token);
        (HttpResponseMessage badFormat, JsonElement badFormatBody) = await MultiUserServer.SendAsync(auditor, HttpMethod.Get, "/v1/audit/export?format=pdf");
        (HttpResponseMessage badTime, _) = await MultiUserServer.SendAsync(auditor, HttpMethod.Get, "/v1/audit/export?from=yesterday");

        Assert.Equal(403, (int)refusedModel.StatusCode);
        Assert.True(verify.GetProperty("intact").GetBoolean());
        Assert.True(verify.GetProperty("entries_checked").GetInt64() >= 2);
        Assert.Equal(200, (int)json.StatusCode);
        JsonElement entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal("/v1/chat/completions", entry.GetProperty("route").GetString());
        Assert.Equal("stories", entry.GetProperty("model").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal(3, entry.GetProperty("output_tokens").GetInt64());
        Assert.StartsWith("og_", entry.GetProperty("key_id").GetString(), StringComparison.Ordinal);
        string[] lines = (await csv.Content.ReadAsStringAsync(Token)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, lines.Length);
        Assert.Contains("gus", lines[1], StringComparison.Ordinal);
        byte[] workbook = await xlsx.Content.ReadAsByteArrayAsync(Token);
        Assert.Equal("offgrid-audit.xlsx", xlsx.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("PK"u8.ToArray(), workbook[..2]);
        Assert.Equal(400, (int)badFormat.StatusCode);
        Assert.Equal("format", badFormatBody.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(400, (int)badTime.StatusCode);
    }

    [Fact]
    public async Task SignInGivesAnExpiringKeyAndLocksOutAfterFailures()
    {
        await server.AddUserAsync("hal", UserRole.User, password: "correct horse battery");
        using HttpClient anonymous = server.Client(null);

        (HttpResponseMessage signedIn, JsonElement key) = await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "hal", password = "correct horse battery", expires_in_hours = 1 });
        using HttpClient hal = server.Client(key.GetProperty("key").GetString());
        (HttpResponseMessage works, _) = await MultiUserServer.SendAsync(hal, HttpMethod.Get, "/v1/models");
        (HttpResponseMessage wrong, JsonElement wrongBody) = await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "hal", password = "wrong" });
        (HttpResponseMessage unknown, JsonElement unknownBody) = await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "nobody", password = "wrong" });
        await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "hal", password = "wrong" });
        (HttpResponseMessage locked, JsonElement lockedBody) = await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "hal", password = "wrong" });
        (HttpResponseMessage stillLocked, _) = await MultiUserServer.SendAsync(anonymous, HttpMethod.Post, "/v1/auth/login", new { username = "hal", password = "correct horse battery" });

        Assert.Equal(201, (int)signedIn.StatusCode);
        Assert.Equal("hal", key.GetProperty("user").GetString());
        Assert.InRange(key.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Equal(200, (int)works.StatusCode);
        Assert.Equal(401, (int)wrong.StatusCode);
        Assert.Equal(401, (int)unknown.StatusCode);
        Assert.Equal(wrongBody.GetProperty("error").GetProperty("message").GetString(), unknownBody.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(429, (int)locked.StatusCode);
        Assert.Equal("locked_out", lockedBody.GetProperty("error").GetProperty("code").GetString());
        Assert.True(int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 60);
        Assert.Equal(429, (int)stillLocked.StatusCode);
    }
}
