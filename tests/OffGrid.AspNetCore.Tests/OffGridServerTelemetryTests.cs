using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;

namespace OffGrid.AspNetCore.Tests;

public sealed class OffGridServerTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoServersInOneProcessExportOnlyTheirOwnFigures()
    {
        await using TestServer busy = await StartAsync();
        await using TestServer idle = await StartAsync();

        using HttpResponseMessage answer = await busy.Http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 4 }, Ct);
        answer.EnsureSuccessStatusCode();

        string busyMetrics = await busy.Http.GetStringAsync("/metrics", Ct);
        string idleMetrics = await idle.Http.GetStringAsync("/metrics", Ct);

        // The pool's meter and ASP.NET Core's come from each app's own IMeterFactory.
        Assert.Matches("""offgrid_inference_completion_tokens_total\{[^}]*model="stories260K"[^}]*\} [1-9]""", busyMetrics);
        Assert.Matches("""gen_ai_server_time_to_first_token_seconds_count\{(?=[^}]*gen_ai_operation_name="chat")(?=[^}]*gen_ai_request_model="stories260K")[^}]*\} 1""", busyMetrics);
        Assert.Matches("""gen_ai_server_time_per_output_token_seconds_bucket\{[^}]*le="0.01"[^}]*\} \d""", busyMetrics);
        Assert.Matches("""http_server_request_duration_seconds_count\{[^}]*http_route="/v1/chat/completions"[^}]*\} 1""", busyMetrics);
        Assert.DoesNotContain("offgrid_inference_completion_tokens_total", idleMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("gen_ai_server_", idleMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("/v1/chat/completions", idleMetrics, StringComparison.Ordinal);

        // The gauges observe the app's own pool: only the busy server has a model loaded.
        Assert.Matches("""offgrid_inference_loaded_models(\{[^}]*\})? 1""", busyMetrics);
        Assert.DoesNotMatch("""offgrid_inference_loaded_models(\{[^}]*\})? [1-9]""", idleMetrics);
    }

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(_ => { }, app =>
    {
        app.MapOpenAi("/v1");
        app.MapPrometheusScrapingEndpoint("/metrics");
    });
}
