using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests.Governance;

/// <summary>
/// An app of its own that turns governance on with <see cref="OffGridServerBuilder.WithGovernance"/>: the user of the key a
/// request carries reaches <c>UseQuotas</c> and <c>UseAudit</c> in the model's pipeline, and their refusals answer in each
/// API's error shape.
/// </summary>
public sealed class GovernedServerTests : IDisposable
{
    private readonly string _directory = TestPaths.NewTempDir("offgrid-governed-app");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheKeysUserIsWhoThePipelineCountsAndAudits()
    {
        await using TestServer server = await TestServer.StartAsync(
            builder => builder.WithGovernance(options =>
            {
                options.Mode = GovernanceMode.MultiUser;
                options.DirectoryPath = _directory;
            }),
            app =>
            {
                app.UseOffGridGovernance();
                app.MapOpenAi().RequireOffGridApiKey();
                app.MapOllama().RequireOffGridApiKey();
            });
        UserDirectory users = server.App.Services.GetRequiredService<UserDirectory>();
        ApiKeyStore keys = server.App.Services.GetRequiredService<ApiKeyStore>();
        await users.AddAsync("ivy", UserRole.User, cancellationToken: Token);
        await users.AddAsync("jon", UserRole.User, cancellationToken: Token);
        await users.SetPermissionsAsync("jon", models: ["qwen*"], collections: null, Token);
        using HttpClient ivy = Client(server, (await keys.CreateAsync("ivy", cancellationToken: Token)).Secret);
        using HttpClient jon = Client(server, (await keys.CreateAsync("jon", cancellationToken: Token)).Secret);
        object chat = new { model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 4 };

        using HttpResponseMessage allowed = await ivy.PostAsJsonAsync("/v1/chat/completions", chat, Token);
        using HttpResponseMessage openAiRefused = await jon.PostAsJsonAsync("/v1/chat/completions", chat, Token);
        using HttpResponseMessage ollamaRefused = await jon.PostAsJsonAsync("/api/chat", new { model = "stories", messages = new[] { new { role = "user", content = "hi" } } }, Token);
        using HttpResponseMessage anonymous = await server.Http.GetAsync("/api/tags", Token);

        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.Equal(403, (int)openAiRefused.StatusCode);
        JsonElement error = JsonDocument.Parse(await openAiRefused.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");
        Assert.Equal(("model_not_allowed", "model"), (error.GetProperty("code").GetString(), error.GetProperty("param").GetString()));
        Assert.Equal(403, (int)ollamaRefused.StatusCode);
        Assert.Contains("may not use the model 'stories'", JsonDocument.Parse(await ollamaRefused.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").ValueKind);

        UsageSummary usage = Assert.Single(await server.App.Services.GetRequiredService<QuotaService>().GetUsageAsync("ivy", cancellationToken: Token));
        Assert.Equal(1, usage.Requests);
        Assert.Equal(4, usage.OutputTokens);
        List<AuditEntry> entries = await server.App.Services.GetRequiredService<AuditLog>().QueryAsync(cancellationToken: Token).ToListAsync(Token);
        Assert.Equal(
            [("ivy", "/v1/chat/completions", "stories", 200), ("jon", "/v1/chat/completions", "stories", 403), ("jon", "/api/chat", "stories", 403), (null, "/api/tags", null, 401)],
            entries.Select(e => (e.Event.UserName, e.Event.Route, e.Event.Model, e.Event.Status)));
        Assert.Equal(4, entries[0].Event.OutputTokens);
    }

    private static HttpClient Client(TestServer server, string key) => new()
    {
        BaseAddress = server.BaseUri,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };
}
