using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Testing;

namespace OffGrid.Rag.Tests.EndToEnd;

/// <summary>The knowledge base with OffGrid's own in-process embedding generator and chat client on stories260K.</summary>
public sealed class LlamaKnowledgeBaseTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDir("offgrid-rag-e2e");
    private LlamaModel _model = null!;

    public async ValueTask InitializeAsync()
    {
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
    }

    public ValueTask DisposeAsync()
    {
        _model.Dispose();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task IngestsSearchesAndAnswersWithCitationsUsingTheRealEngine()
    {
        using var embeddings = new LlamaEmbeddingGenerator(_model);
        using var knowledgeBase = new KnowledgeBase(new RagOptions { DatabasePath = Path.Combine(_dir, "kb.db"), VectorSearch = VectorSearchMode.Exact }, embeddings);
        string[] stories =
        [
            "Lily had a red ball. She played with the ball in the park every day.",
            "Tom liked to eat apples. His mom gave him a big green apple.",
            "The sun was hot. The dog slept under the big tree all day.",
        ];
        IReadOnlyList<IngestionResult> results = await knowledgeBase.IngestAsync(
            stories.Select((text, i) => DocumentSource.FromText($"story-{i}", text)), cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(IngestionStatus.Added, r.Status));

        IReadOnlyList<SearchHit> hits = await knowledgeBase.SearchAsync("apple", new SearchOptions { Top = 3 }, TestContext.Current.CancellationToken);
        Assert.Equal("story-1", hits[0].Citation.Source);
        Assert.True(hits[0].Scores.Vector is not null);

        using var engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 512 });
        IChatClient chat = new LlamaChatClient(engine).AsBuilder().UseRag(knowledgeBase).Build();
        ChatResponse response = await chat.GetResponseAsync("Who ate an apple?", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }, TestContext.Current.CancellationToken);
        Assert.NotEmpty(response.Text);
        Assert.True(response.AdditionalProperties?.ContainsKey(RagChatClient.CitationsPropertyName));
    }
}
