using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Agents.Runs;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using OffGrid.Inference.Pooling;
using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests.Agents;

/// <summary>
/// Agent runs in multi-user mode over real Kestrel and llama.cpp (stories260K): a run belongs to its user, and a run is
/// admitted against the user's model permissions and quotas before it is answered 202, as one request of that user.
/// </summary>
public sealed class AgentRunGovernanceTests : IAsyncLifetime
{
    private readonly string _directory = TestPaths.NewTempDir("offgrid-governed-agents");
    private TestServer _server = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _server = await TestServer.StartAsync(
            builder => builder.WithGovernance(options =>
            {
                options.Mode = GovernanceMode.MultiUser;
                options.DirectoryPath = _directory;
            }).AddTools(),
            app =>
            {
                app.UseOffGridGovernance();
                app.MapOffGridAgents().RequireOffGridApiKey();
            });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AUserSeesAndControlsOnlyTheirOwnRunsWhileAdministratorsSeeAndControlAll()
    {
        using HttpClient ada = await ClientAsync("ada", UserRole.Admin);
        using HttpClient bob = await ClientAsync("bob", UserRole.User);
        using HttpClient eve = await ClientAsync("eve", UserRole.User);
        using HttpClient aud = await ClientAsync("aud", UserRole.Auditor);
        string bobs = await StartAsync(bob, """{"model":"stories","task":"bob's secret","agent":"creative","max_tokens":2}""");
        string adas = await StartAsync(ada, """{"model":"stories","task":"ada's secret","agent":"creative","max_tokens":2}""");
        await _server.App.Services.GetRequiredService<AgentRuns>().WaitAsync(bobs, Token);

        Assert.Equal([bobs], await ListAsync(bob));
        Assert.Empty(await ListAsync(eve));
        Assert.Equal([adas, bobs], await ListAsync(ada));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/v1/agents/runs/{bobs}", Token)).StatusCode);
        foreach (HttpResponseMessage refused in new[]
        {
            await eve.GetAsync($"/v1/agents/runs/{bobs}", Token),
            await eve.GetAsync($"/v1/agents/runs/{bobs}/events", Token),
            await eve.PostAsync($"/v1/agents/runs/{bobs}/cancel", null, Token),
            await eve.PostAsync($"/v1/agents/runs/{bobs}/resume", null, Token),
        })
        {
            await AssertErrorAsync(refused, HttpStatusCode.NotFound, "run_not_found");
        }

        Assert.Equal(HttpStatusCode.OK, (await ada.GetAsync($"/v1/agents/runs/{bobs}", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.PostAsync($"/v1/agents/runs/{bobs}/cancel", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await aud.GetAsync("/v1/agents/runs", Token)).StatusCode);
    }

    [Fact]
    public async Task ARunIsRefusedUpFrontForAModelTheUserMayNotUseOrOverQuotaAndItsParallelAgentsCountAsOneRequest()
    {
        UserDirectory users = _server.App.Services.GetRequiredService<UserDirectory>();
        QuotaService quotas = _server.App.Services.GetRequiredService<QuotaService>();
        using HttpClient zed = await ClientAsync("zed", UserRole.User);
        await users.SetPermissionsAsync("zed", models: ["qwen*"], collections: null, Token);
        using HttpClient eve = await ClientAsync("eve", UserRole.User);
        await quotas.SetUserLimitsAsync("eve", new QuotaLimits { ConcurrentRequests = 1, RequestsPerMinute = 1 }, Token);
        const string Parallel = """{"model":"stories","task":"Cats or dogs?","agents":["creative","coder"],"mode":"parallel","max_tokens":2}""";

        await AssertErrorAsync(await zed.PostAsync("/v1/agents/runs", Json(Parallel), Token), HttpStatusCode.Forbidden, "model_not_allowed");
        Assert.Empty(_server.App.Services.GetRequiredService<LlamaModelPool>().GetLoadedModels());

        AgentRunInfo run = await _server.App.Services.GetRequiredService<AgentRuns>().WaitAsync(await StartAsync(eve, Parallel), Token);
        Assert.Equal((AgentRunStatus.Completed, null), (run.Status, run.Error));
        using HttpResponseMessage overQuota = await eve.PostAsync("/v1/agents/runs", Json(Parallel), Token);
        await AssertErrorAsync(overQuota, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.True(overQuota.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        UsageSummary usage = Assert.Single(await quotas.GetUsageAsync("eve", cancellationToken: Token));
        Assert.Equal((1, run.InputTokens + run.OutputTokens), (usage.Requests, usage.InputTokens + usage.OutputTokens));
    }

    private async Task<HttpClient> ClientAsync(string name, UserRole role)
    {
        await _server.App.Services.GetRequiredService<UserDirectory>().AddAsync(name, role, cancellationToken: Token);
        CreatedApiKey key = await _server.App.Services.GetRequiredService<ApiKeyStore>().CreateAsync(name, cancellationToken: Token);
        return new HttpClient { BaseAddress = _server.BaseUri, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key.Secret) } };
    }

    private static async Task<string> StartAsync(HttpClient client, string body)
    {
        using HttpResponseMessage response = await client.PostAsync("/v1/agents/runs", Json(body), Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetString()!;
    }

    private static async Task<List<string?>> ListAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/v1/agents/runs", Token)).GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString())];

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string body = await response.Content.ReadAsStringAsync(Token);
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
