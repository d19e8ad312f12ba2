using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;

namespace OffGrid.Server.Tests.Governance;

/// <summary>The official OpenAI .NET SDK and OllamaSharp against a multi-user server: they work with a key, and only with one.</summary>
public sealed class ClientSdkTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheOpenAiSdkWorksWithAKeyAndIsRefusedWithoutAValidOne()
    {
        ChatClient chat = OpenAi(server.UserKey).GetChatClient("stories");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };

        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token);
        var streamed = new System.Text.StringBuilder();
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], options, Token))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.NotEmpty(whole.Content[0].Text);
        var invalid = await Assert.ThrowsAsync<ClientResultException>(() => OpenAi("og_aaaaaaaaaaaa_" + new string('b', 40)).GetChatClient("stories")
            .CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token));
        Assert.Equal(401, invalid.Status);
        Assert.Contains("not valid", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OllamaSharpWorksWithAKeyAndIsRefusedWithoutOne()
    {
        using var ollama = new OllamaApiClient(server.Client(server.UserKey), "stories");
        ChatResponse answer = await ((IChatClient)ollama).GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 6, Temperature = 0 }, Token);
        IEnumerable<OllamaSharp.Models.Model> models = await ollama.ListLocalModelsAsync(Token);

        Assert.NotEmpty(answer.Text);
        Assert.Contains(models, m => m.Name == "stories");
        using var anonymous = new OllamaApiClient(server.Client(null), "stories");
        HttpRequestException refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.ListLocalModelsAsync(Token));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>The SDK with <paramref name="key"/>, without its retries: a 401 or 429 must surface at once.</summary>
    private OpenAIClient OpenAi(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(server.BaseUri, "v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });
}
