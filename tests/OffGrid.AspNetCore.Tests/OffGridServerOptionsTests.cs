using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OffGrid.Testing.Models;

namespace OffGrid.AspNetCore.Tests;

/// <summary>An app's own configuration (here its command line) reaches <c>AddOffGridServer</c>; code settings win over it.</summary>
public sealed class OffGridServerOptionsTests
{
    [Fact]
    public async Task TheServerSectionOfTheAppsConfigurationIsBound()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOpenAi(), $"--Server:Models:extra={TestLlamaModels.Tiny}");

        using JsonDocument models = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/models", TestContext.Current.CancellationToken));
        string?[] ids = [.. models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString())];

        Assert.Contains("extra", ids);
        Assert.Contains("stories", ids);
    }

    [Fact]
    public async Task KvCacheTypesFromConfigurationReachTheEngine()
    {
        // Quantized cache blocks hold 32 values: the head length must be a multiple of 32.
        string model = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { EmbeddingLength = 128, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 256 });
        await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOpenAi("/v1"),
            $"--Server:Models:kv={model}", "--Server:Pool:Engine:CacheTypeK=q8_0", "--Server:Pool:Engine:CacheTypeV=q4_0", "--Server:Pool:Engine:FlashAttention=true");

        using HttpResponseMessage response = await server.Http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "kv", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 4 }, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AQuantizedValueCacheWithoutFlashAttentionStopsTheStart()
    {
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(_ => { }, app => app.MapOpenAi("/v1"),
            "--Server:Pool:Engine:CacheTypeV=q8_0", "--Server:Pool:Engine:FlashAttention=false"));
        Assert.Contains("Server:Pool:Engine:CacheTypeV q8_0 needs flash attention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessIsolationInAnAppThatCannotStartAWorkerStopsTheStart()
    {
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(_ => { }, app => app.MapOpenAi("/v1"), "--Server:Isolation=Process"));
        Assert.Contains("Server:Isolation is Process, but this app cannot start itself again as a model worker", error.Message, StringComparison.Ordinal);
    }
}
