using System.ClientModel;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using OffGrid.Hub.References;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace OffGrid.AspNetCore.Tests.Models;

/// <summary>
/// Middleware an app adds with <see cref="OffGridServerBuilder.ConfigureChatClients"/> sees every HTTP generation, OpenAI's
/// and Ollama's, streamed and whole, exactly as it sees in-process calls: the endpoints never call the engine around it.
/// </summary>
public sealed class ModelPipelineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryGenerationGoesThroughTheAppsMiddleware()
    {
        var seen = new List<(string Model, bool Streaming, string Prompt)>();
        await using TestServer server = await TestServer.StartAsync(
            builder => builder.ConfigureChatClients((pipeline, model) => pipeline.Use(inner => new RecordingChatClient(inner, model, seen))),
            app =>
            {
                app.MapOpenAi();
                app.MapOllama();
            });
        var openAi = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUri, "v1") }).GetChatClient("stories");
        using var ollama = new OllamaApiClient(new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(2) }, "stories");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };

        ChatCompletion whole = await openAi.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token);
        var streamed = new System.Text.StringBuilder();
        await foreach (StreamingChatCompletionUpdate update in openAi.CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], options, Token))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        using HttpResponseMessage generate = await server.Http.PostAsJsonAsync("/api/generate", new { model = "stories", prompt = "Lily", stream = false, options = new { num_predict = 4 } }, Token);
        string ollamaStreamed = string.Concat(await ((IChatClient)ollama).GetStreamingResponseAsync("Tom", new ChatOptions { MaxOutputTokens = 4 }, Token).Select(u => u.Text).ToListAsync(Token));

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(200, (int)generate.StatusCode);
        Assert.NotEmpty(ollamaStreamed);
        Assert.Equal(
            [("stories", false, "Once upon a time"), ("stories", true, "Once upon a time"), ("stories", false, "Lily"), ("stories", true, "Tom")],
            seen);
    }

    [Fact]
    public async Task MiddlewareErrorsReachTheClientInTheApisShape()
    {
        await using TestServer server = await TestServer.StartAsync(
            builder => builder.ConfigureChatClients((pipeline, _) => pipeline.Use(
                (messages, options, next, cancellationToken) => throw new Inference.InvalidRequestException("Refused by policy.", "messages"))),
            app => app.MapOpenAi());

        using HttpResponseMessage response = await server.Http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "stories", messages = new[] { new { role = "user", content = "hi" } } }, Token);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("Refused by policy.", error.GetProperty("message").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    /// <summary>Records each request that reaches it, then passes it on unchanged.</summary>
    private sealed class RecordingChatClient(IChatClient inner, LocalModel model, List<(string, bool, string)> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Record(messages, streaming: false);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Record(messages, streaming: true);
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }

        private void Record(IEnumerable<AIChatMessage> messages, bool streaming)
        {
            lock (seen)
            {
                seen.Add((model.Name, streaming, messages.Last().Text));
            }
        }
    }
}
