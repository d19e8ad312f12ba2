using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Hosting;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Server.Tests.Operations;

/// <summary>OffGrid's own endpoints: health, metrics, benchmark, search and the web UI.</summary>
public sealed class OperationsTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public OperationsTests(ServerFixture server)
    {
        _server = server;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthIsReadyOncePreloadedModelsAreLoaded()
    {
        (int status, JsonElement body) = await _server.GetJsonAsync("/health");
        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        // Models are listed by the names clients use ("stories" from Server:Models), not by their files.
        Assert.Contains(body.GetProperty("loaded_models").EnumerateArray(), m => m.GetString() == "stories");
        Assert.DoesNotContain(body.GetProperty("loaded_models").EnumerateArray(), m => m.GetString() == "stories260K");
    }

    [Fact]
    public async Task AnUnknownPreloadModelStopsTheStart()
    {
        await using WebApplication app = OffGridWebApplication.Create([], o => ServerFixture.Configure(o, preload: ["not-a-model"]));

        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Token));

        Assert.StartsWith("Server:Preload:0 is 'not-a-model': ", Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsExposeRequestsTokensQueueAndModels()
    {
        (int status, _) = await _server.PostJsonAsync("/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 3 });
        Assert.Equal(200, status);
        using (HttpResponseMessage unsigned = await _server.Http.GetAsync("/peer/v1/models", Token))
        {
            Assert.Equal(404, (int)unsigned.StatusCode); // a LAN peer without the network secret sees nothing
        }

        string metrics = await _server.Http.GetStringAsync("/metrics", Token);

        // Every sample line parses as Prometheus text exposition: name, optional labels, a number.
        string[] samples = [.. metrics.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))];
        Assert.NotEmpty(samples);
        Assert.All(samples, l => Assert.Matches("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+]?([0-9.eE+-]+|Inf|NaN)( [0-9]+)?$""", l));
        Assert.Matches("""http_server_request_duration_seconds_count\{(?=[^}]*http_route="/v1/chat/completions")(?=[^}]*http_response_status_code="200")[^}]*\} [1-9]""", metrics);
        Assert.Matches("""offgrid_inference_completion_tokens_total\{[^}]*model="stories260K"[^}]*\} [1-9]""", metrics);
        Assert.Matches("""offgrid_inference_prompt_tokens_total\{[^}]*model="stories260K"[^}]*\} [1-9]""", metrics);
        Assert.Matches("""offgrid_inference_generation_duration_seconds_total\{[^}]*\} \d""", metrics);
        Assert.Contains("# TYPE offgrid_inference_generation_speed_per_second histogram", metrics);
        Assert.Matches("""offgrid_inference_loaded_models(\{[^}]*\})? [1-9]""", metrics);
        Assert.Matches("""offgrid_inference_queue_depth\{[^}]*model=""", metrics);
        Assert.Matches("""offgrid_inference_active_sequences\{[^}]*model=""", metrics);
        Assert.Matches("""gen_ai_client_token_usage[^ ]*\{[^}]*gen_ai_request_model="stories""", metrics);
        Assert.Matches("""offgrid_distribution_peer_requests_refused_total(\{[^}]*\})? [1-9]""", metrics);
    }

    [Fact]
    public async Task BenchmarkReportsEveryRunAndASummary()
    {
        (int status, JsonElement body) = await _server.PostJsonAsync("/v1/benchmark", new { model = "tiny", prompt_tokens = 32, output_tokens = 8, iterations = 2 });

        Assert.Equal(200, status);
        Assert.Equal(2, body.GetProperty("runs").GetArrayLength());
        Assert.All(body.GetProperty("runs").EnumerateArray(), r => Assert.Equal(8, r.GetProperty("output_tokens").GetInt32()));
        Assert.True(body.GetProperty("summary").GetProperty("generation_tokens_per_second").GetDouble() > 0);
        Assert.True(body.GetProperty("summary").GetProperty("prompt_tokens_per_second").GetDouble() > 0);
    }

    [Fact]
    public async Task SearchQueriesTheHubWithFilters()
    {
        (int status, JsonElement body) = await _server.GetJsonAsync("/v1/search?q=tiny&limit=5");
        Assert.Equal(200, status);
        JsonElement hit = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal("offgrid/tiny-GGUF", hit.GetProperty("id").GetString());

        (status, body) = await _server.PostJsonAsync("/v1/search", new { author = "ggml-org", limit = 5 });
        Assert.Equal(200, status);
        Assert.Equal("ggml-org/models", Assert.Single(body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task RootServesTheOfflineWebUi()
    {
        using HttpResponseMessage response = await _server.Http.GetAsync("/", Token);
        string html = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>OffGrid</title>", html);
        Assert.Contains("/v1/chat/completions", html);
        Assert.DoesNotMatch("(src|href)=\"https?://", html);
    }
}
