using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Tests.Backends;

/// <summary>
/// A remote model is served through the same per-model pipeline as a local one: the app's middleware sees its requests,
/// and tools and structured output reach the backend as the client sent them.
/// </summary>
public sealed class RemoteModelPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheAppsMiddlewareSeesRemoteAndLocalModelsAlike()
    {
        await using InstantBackend backend = await InstantBackend.StartAsync("gpu1");
        var seen = new List<string>();
        await using TestServer front = await TestServer.StartAsync(
            builder =>
            {
                builder.Services.Configure<OffGridServerOptions>(o => o.Backends["gpu1"] = new Inference.Remote.RemoteBackendOptions { Endpoint = backend.Endpoint });
                builder.ConfigureChatClients((pipeline, model) => pipeline.Use(
                    async (messages, options, next, cancellationToken) =>
                    {
                        lock (seen)
                        {
                            seen.Add($"{model.Name} ({model.Source})");
                        }

                        await next(messages, options, cancellationToken);
                    }));
            },
            app => app.MapOpenAi());

        var tool = new
        {
            type = "function",
            function = new { name = "get_weather", description = "The weather in a city.", parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } } },
        };
        var schema = new { type = "json_schema", json_schema = new { name = "answer", schema = new { type = "object", properties = new { text = new { type = "string" } } } } };
        using HttpResponseMessage remote = await front.Http.PostAsJsonAsync(
            "/v1/chat/completions",
            new { model = "chat", messages = new[] { new { role = "user", content = "Weather in Oslo?" } }, tools = new[] { tool }, response_format = schema, max_tokens = 5 },
            Ct);
        using HttpResponseMessage local = await front.Http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 2 }, Ct);

        Assert.Equal(200, (int)remote.StatusCode);
        Assert.Equal(200, (int)local.StatusCode);
        Assert.Equal("from gpu1", (await remote.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(["chat (Remote)", "stories (Configured)"], seen);

        JsonElement sent = Assert.Single(backend.Bodies);
        Assert.Equal("chat", sent.GetProperty("model").GetString());
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("json_schema", sent.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal(5, sent.GetProperty(sent.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens").GetInt32());
    }

    [Fact]
    public async Task ARemoteModelInProcessIsAnIChatClientLikeALocalOne()
    {
        await using InstantBackend backend = await InstantBackend.StartAsync("gpu1");
        await using TestServer front = await BalancingTests.FrontAsync([(backend, 1)]);

        using ModelSession session = await front.App.Services.GetRequiredService<ModelAccess>().OpenAsync("chat", keepAlive: null, Ct);
        ChatResponse response = await session.ChatClient.GetResponseAsync("hello", cancellationToken: Ct);

        Assert.Equal("from gpu1", response.Text);
        Assert.Equal(5, response.Usage?.TotalTokenCount);
        Assert.Null(session.Lease);
    }

    [Fact]
    public async Task OllamaTimingsOfAModelOnAnotherOffGridServerAreMeasuredAtTheEndpoint()
    {
        await using TestServer node = await TestServer.StartAsync(_ => { }, app =>
        {
            app.MapOpenAi();
            app.MapOffGridHealth();
        });
        await using TestServer front = await TestServer.StartAsync(
            builder => builder.Services.Configure<OffGridServerOptions>(o => o.Backends["n1"] = new Inference.Remote.RemoteBackendOptions
            {
                Kind = Inference.Remote.RemoteBackendKind.OffGrid,
                Endpoint = node.BaseUri.AbsoluteUri,
                Models = { ["remote-stories"] = "stories" },
            }),
            app => app.MapOllama());

        using HttpResponseMessage chat = await front.Http.PostAsJsonAsync(
            "/api/chat", new { model = "remote-stories", messages = new[] { new { role = "user", content = "Once upon a time" } }, stream = false, options = new { num_predict = 8, temperature = 0 } }, Ct);
        Assert.True(chat.IsSuccessStatusCode, await chat.Content.ReadAsStringAsync(Ct));
        AssertTimed(await chat.Content.ReadFromJsonAsync<JsonElement>(Ct));

        using HttpResponseMessage generate = await front.Http.PostAsJsonAsync(
            "/api/generate", new { model = "remote-stories", prompt = "Once upon a time", options = new { num_predict = 8, temperature = 0 } }, Ct);
        string[] lines = (await generate.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        AssertTimed(JsonDocument.Parse(lines[^1]).RootElement);

        static void AssertTimed(JsonElement done)
        {
            Assert.True(done.GetProperty("done").GetBoolean());
            Assert.True(done.GetProperty("eval_count").GetInt64() > 0, done.ToString());
            Assert.True(done.GetProperty("prompt_eval_duration").GetInt64() > 0, done.ToString());
            Assert.True(done.GetProperty("eval_duration").GetInt64() > 0, done.ToString());
            Assert.True(done.GetProperty("prompt_eval_duration").GetInt64() + done.GetProperty("eval_duration").GetInt64() <= done.GetProperty("total_duration").GetInt64(), done.ToString());
        }
    }
}
