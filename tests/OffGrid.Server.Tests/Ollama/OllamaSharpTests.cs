using Microsoft.Extensions.AI;
using OllamaSharp;
using OllamaSharp.Models;

namespace OffGrid.Server.Tests.Ollama;

/// <summary>OllamaSharp, the .NET Ollama client (and Microsoft.Extensions.AI provider), against the server's <c>/api</c>.</summary>
public sealed class OllamaSharpTests : IClassFixture<ServerFixture>, IDisposable
{
    private readonly OllamaApiClient _client;

    public OllamaSharpTests(ServerFixture server)
    {
        _client = new OllamaApiClient(new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(2) }, "stories");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListsShowsAndReportsTheVersion()
    {
        IEnumerable<Model> models = await _client.ListLocalModelsAsync(Token);
        ShowModelResponse shown = await _client.ShowModelAsync(new ShowModelRequest { Model = "stories" }, Token);
        string version = (await _client.GetVersionAsync(Token)).ToString();

        Assert.Contains(models, m => m.Name == "stories");
        Assert.Equal("llama", shown.Details.Family);
        Assert.NotEmpty(version);
    }

    [Fact]
    public async Task ItsChatClientStreamsTheGreedyStory()
    {
        IChatClient chat = _client;

        string streamed = string.Concat(await chat.GetStreamingResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }, Token)
            .Select(u => u.Text).ToListAsync(Token));
        ChatResponse whole = await chat.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }, Token);

        Assert.Contains("Lily", streamed, StringComparison.Ordinal);
        Assert.Equal(streamed, whole.Text);
        Assert.True(whole.Usage?.OutputTokenCount is > 0 and <= 16);
    }

    [Fact]
    public async Task ItsEmbeddingGeneratorReturnsTheModelsVectors()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = _client;

        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(["Lily", "Tom"], cancellationToken: Token);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(64, e.Vector.Length));
    }

    public void Dispose() => _client.Dispose();
}
