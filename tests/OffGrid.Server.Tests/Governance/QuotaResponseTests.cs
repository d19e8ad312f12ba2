using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.Server.Tests.Governance;

/// <summary>
/// A quota reached inside a model's pipeline (<c>UseQuotas</c>) is a 429 with <c>Retry-After</c> and <c>x-ratelimit-*</c>
/// in the error shape of the API that was called, streamed or not.
/// </summary>
public sealed class QuotaResponseTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly object s_chat = new { model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 4 };

    [Fact]
    public async Task RequestsPerMinuteGive429InOpenAisShapeStreamedOrNot()
    {
        string key = await server.AddUserAsync("rpm-openai", UserRole.User);
        await Quotas.SetUserLimitsAsync("rpm-openai", new QuotaLimits { RequestsPerMinute = 1 }, Token);
        using HttpClient http = server.Client(key);

        using HttpResponseMessage first = await http.PostAsJsonAsync("/v1/chat/completions", s_chat, Token);
        Assert.Equal(200, (int)first.StatusCode);
        foreach (bool stream in new[] { false, true })
        {
            using HttpResponseMessage refused = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "hi" } }, stream }, Token);
            JsonElement error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");

            Assert.Equal(429, (int)refused.StatusCode);
            Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
            Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
            Assert.Contains("1 requests per minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            int retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            Assert.Equal("1", refused.Headers.GetValues("x-ratelimit-limit-requests").Single());
            Assert.Equal("0", refused.Headers.GetValues("x-ratelimit-remaining-requests").Single());
            Assert.Equal($"{retryAfter}s", refused.Headers.GetValues("x-ratelimit-reset-requests").Single());
        }

        using HttpClient scraper = server.Client(null);
        Assert.Contains("offgrid_governance_quota_rejections", await scraper.GetStringAsync("/metrics", Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensPerDayGive429InOllamasShape()
    {
        string key = await server.AddUserAsync("tokens-ollama", UserRole.User);
        await Quotas.SetUserLimitsAsync("tokens-ollama", new QuotaLimits { TokensPerDay = 5 }, Token);
        using HttpClient http = server.Client(key);
        object chat = new { model = "stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, stream = false, options = new { num_predict = 4 } };

        // The first call is admitted under the limit and uses more than it; the next one is refused until the UTC day ends.
        using HttpResponseMessage first = await http.PostAsJsonAsync("/api/chat", chat, Token);
        using HttpResponseMessage refused = await http.PostAsJsonAsync("/api/chat", chat, Token);
        JsonElement body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Token)).RootElement;

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal(JsonValueKind.String, body.GetProperty("error").ValueKind);
        Assert.Contains("5 tokens per day", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        long retryAfter = long.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 86_400);
        Assert.Equal("5", refused.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        Assert.Equal("0", refused.Headers.GetValues("x-ratelimit-remaining-tokens").Single());

        // What the user sees of it: their usage, with the refusal counted.
        (HttpResponseMessage _, JsonElement usage) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/usage");
        Assert.Equal(5, usage.GetProperty("quota").GetProperty("limits").GetProperty("tokens_per_day").GetInt64());
        Assert.True(usage.GetProperty("quota").GetProperty("tokens_today").GetInt64() > 5);
        JsonElement today = Assert.Single(usage.GetProperty("data").EnumerateArray());
        Assert.Equal(1, today.GetProperty("requests").GetInt64());
        Assert.Equal(1, today.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task EmbeddingsObeyModelPermissionsAndQuotasInBothApis()
    {
        string restrictedKey = await server.AddUserAsync("embed-restricted", UserRole.User);
        await server.App.Services.GetRequiredService<UserDirectory>().SetPermissionsAsync("embed-restricted", models: ["qwen*"], collections: null, Token);
        using HttpClient restricted = server.Client(restrictedKey);
        using HttpResponseMessage openAi = await restricted.PostAsJsonAsync("/v1/embeddings", new { model = "stories", input = "Lily" }, Token);
        using HttpResponseMessage ollama = await restricted.PostAsJsonAsync("/api/embed", new { model = "stories", input = "Lily" }, Token);

        Assert.Equal(403, (int)openAi.StatusCode);
        Assert.Contains("may not use the model 'stories'", JsonDocument.Parse(await openAi.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(403, (int)ollama.StatusCode);
        Assert.Contains("may not use the model 'stories'", JsonDocument.Parse(await ollama.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        string key = await server.AddUserAsync("embed-rpm", UserRole.User);
        await Quotas.SetUserLimitsAsync("embed-rpm", new QuotaLimits { RequestsPerMinute = 1 }, Token);
        using HttpClient http = server.Client(key);
        using HttpResponseMessage first = await http.PostAsJsonAsync("/v1/embeddings", new { model = "stories", input = new[] { "Lily had a ball.", "Tom ate." } }, Token);
        using HttpResponseMessage refused = await http.PostAsJsonAsync("/v1/embeddings", new { model = "stories", input = "again" }, Token);

        Assert.Equal(200, (int)first.StatusCode);
        long promptTokens = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("x-ratelimit-limit-requests").Single());
        UsageSummary usage = Assert.Single(await Quotas.GetUsageAsync("embed-rpm", cancellationToken: Token));
        Assert.Equal((1, 1, promptTokens), (usage.Requests, usage.Rejected, usage.InputTokens));
    }

    [Fact]
    public async Task SpeechIsHeldToModelPermissionsAndQuotas()
    {
        object speech = new { model = "tts-1", input = "Hello.", response_format = "wav" };
        string restrictedKey = await server.AddUserAsync("speech-restricted", UserRole.User);
        await server.App.Services.GetRequiredService<UserDirectory>().SetPermissionsAsync("speech-restricted", models: ["stor*"], collections: null, Token);
        string limitedKey = await server.AddUserAsync("speech-rpm", UserRole.User);
        await Quotas.SetUserLimitsAsync("speech-rpm", new QuotaLimits { RequestsPerMinute = 1 }, Token);
        using HttpClient restricted = server.Client(restrictedKey);
        using HttpClient limited = server.Client(limitedKey);

        using HttpResponseMessage denied = await restricted.PostAsJsonAsync("/v1/audio/speech", speech, Token);
        using HttpResponseMessage first = await limited.PostAsJsonAsync("/v1/audio/speech", speech, Token);
        using HttpResponseMessage refused = await limited.PostAsJsonAsync("/v1/audio/speech", speech, Token);

        Assert.Equal(403, (int)denied.StatusCode);
        Assert.Contains("may not use the model 'tts-1'", JsonDocument.Parse(await denied.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("x-ratelimit-limit-requests").Single());
    }

    [Fact]
    public async Task KnowledgeCollectionsAreHeldToTheUsersCollectionPermissions()
    {
        using HttpClient admin = server.Client(server.AdminKey);
        foreach (string name in new[] { "hr-files", "public-notes" })
        {
            using HttpResponseMessage created = await admin.PostAsJsonAsync("/v1/knowledge/collections", new { name, embedding_model = "stories" }, Token);
            Assert.Equal(201, (int)created.StatusCode);
        }

        string key = await server.AddUserAsync("kb-public", UserRole.User);
        await server.App.Services.GetRequiredService<UserDirectory>().SetPermissionsAsync("kb-public", models: null, collections: ["public-*"], Token);
        using HttpClient user = server.Client(key);

        JsonElement listed = JsonDocument.Parse(await user.GetStringAsync("/v1/knowledge/collections", Token)).RootElement;
        using HttpResponseMessage hidden = await user.GetAsync("/v1/knowledge/collections/hr-files", Token);
        using HttpResponseMessage search = await user.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "hr-files" }, query = "salary" }, Token);
        using HttpResponseMessage localSearch = await user.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "hr-files" }, query = "salary", local_only = true }, Token);
        using HttpResponseMessage allowed = await user.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "public-notes" }, query = "salary" }, Token);
        using HttpResponseMessage chat = await user.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "stories", max_tokens = 4, messages = new[] { new { role = "user", content = "What is the salary?" } }, knowledge = new { collections = new[] { "hr-files" } },
        }, Token);
        using HttpResponseMessage create = await user.PostAsJsonAsync("/v1/knowledge/collections", new { name = "hr-copy", embedding_model = "stories" }, Token);

        Assert.Equal(["public-notes"], listed.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(403, (int)hidden.StatusCode);
        Assert.Equal(403, (int)search.StatusCode);
        Assert.Contains("may not use the knowledge collection 'hr-files'", JsonDocument.Parse(await search.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(403, (int)localSearch.StatusCode);
        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.Equal(403, (int)chat.StatusCode);
        Assert.Equal(403, (int)create.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await admin.GetStringAsync("/v1/knowledge/collections", Token)).RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ModelListsShowOnlyTheModelsAUserMayCall()
    {
        string key = await server.AddUserAsync("stories-only", UserRole.User);
        await server.App.Services.GetRequiredService<UserDirectory>().SetPermissionsAsync("stories-only", models: ["stor*"], collections: null, Token);

        Assert.Equal(["stories"], await ModelNamesAsync(key));
        Assert.Equal(["qwen", "slow", "stories", "tiny"], await ModelNamesAsync(server.UserKey));
        Assert.Equal(["qwen", "slow", "stories", "tiny"], await ModelNamesAsync(server.AdminKey));

        // Describing a model the list hides finds nothing either, in both APIs; the visible one is described.
        using HttpClient http = server.Client(key);
        using HttpResponseMessage hidden = await http.GetAsync("/v1/models/tiny", Token);
        using HttpResponseMessage hiddenShow = await http.PostAsJsonAsync("/api/show", new { model = "tiny" }, Token);
        using HttpResponseMessage shown = await http.GetAsync("/v1/models/stories", Token);
        Assert.Equal(404, (int)hidden.StatusCode);
        Assert.Contains("not available to you", JsonDocument.Parse(await hidden.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, (int)hiddenShow.StatusCode);
        Assert.Equal(200, (int)shown.StatusCode);
    }

    /// <summary>The names in <c>/v1/models</c>, after checking that <c>/api/tags</c> lists the same.</summary>
    private async Task<string[]> ModelNamesAsync(string key)
    {
        using HttpClient http = server.Client(key);
        JsonElement openAi = JsonDocument.Parse(await http.GetStringAsync("/v1/models", Token)).RootElement;
        JsonElement ollama = JsonDocument.Parse(await http.GetStringAsync("/api/tags", Token)).RootElement;
        string[] names = [.. openAi.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
        Assert.Equal(names, ollama.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!.Replace(":latest", string.Empty, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        return names;
    }

    private QuotaService Quotas => server.App.Services.GetRequiredService<QuotaService>();
}
