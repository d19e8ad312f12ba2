using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using OffGrid.Hub.Gguf;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>
/// A KV cache type the served model cannot use (stories260K's heads hold 8 values, a q8_0 block 32) is the server's
/// setting, not the client's fault: a 500 that says what is wrong, and one log line instead of a stack trace.
/// </summary>
public sealed class CacheTypeErrorTests
{
    [Fact]
    public async Task ACacheTypeTheModelCannotUseIsA500ThatSaysSo()
    {
        await using TestServer server = await TestServer.StartAsync(
            builder => builder.Services.AddFakeLogging(),
            app =>
            {
                app.MapOpenAi("/v1");
                app.MapOllama("/api");
            },
            options => options.Pool.Engine.CacheTypeK = GgmlType.Q8_0);

        using HttpResponseMessage openAi = await server.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "Hi" } } }, TestContext.Current.CancellationToken);
        using HttpResponseMessage ollama = await server.Http.PostAsJsonAsync("/api/generate", new { model = "stories", prompt = "Hi", stream = false }, TestContext.Current.CancellationToken);

        Assert.Equal(500, (int)openAi.StatusCode);
        JsonElement error = (await openAi.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal("unsupported_cache_type", error.GetProperty("code").GetString());
        const string Expected = "Server:Pool:Engine:CacheTypeK: 'stories260K' cannot use the K cache type q8_0: its block size 32 does not divide the model's key head size 8";
        Assert.Contains(Expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(500, (int)ollama.StatusCode);
        Assert.Contains(Expected, (await ollama.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetString(), StringComparison.Ordinal);

        FakeLogRecord[] errors = [.. server.App.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Error)];
        Assert.NotEmpty(errors);
        Assert.All(errors, r =>
        {
            Assert.Null(r.Exception);
            Assert.Contains(Expected, r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task APreloadedModelThatCannotUseTheCacheTypeStopsTheStart()
    {
        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(_ => { }, _ => { }, options =>
        {
            options.Pool.Engine.CacheTypeV = GgmlType.Q4_0;
            options.Preload.Add("stories");
        }));

        Assert.Equal(
            "Server:Pool:Engine:CacheTypeV: 'stories' cannot use the V cache type q4_0: its block size 32 does not divide the model's value head size 8 (n_embd_head_v); use f16, bf16 or f32 for this model.",
            Assert.Single(invalid.Failures));
    }
}
