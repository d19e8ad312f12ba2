using Microsoft.Extensions.AI;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Testing;

namespace OffGrid.Rag.Tests.Collections;

public sealed class KnowledgeCollectionsTests : IDisposable
{
    private readonly string _directory = TestPaths.NewTempDir("offgrid-collections");
    private readonly Models _models = new();
    private readonly KnowledgeCollections _collections;

    public KnowledgeCollectionsTests()
    {
        _collections = new KnowledgeCollections(new KnowledgeCollectionsOptions { Directory = _directory, Rag = new RagOptions { VectorSearch = VectorSearchMode.Exact } }, _models);
    }

    public void Dispose()
    {
        _collections.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task CollectionsAreCreatedListedCountedSearchedTogetherAndDeleted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "pumps", EmbeddingModel = "concepts", ChunkMaxTokens = 40, ChunkOverlapTokens = 0, Description = "Pump manuals" }, ct);
        await _collections.CreateAsync(new CollectionDefinition { Name = "garden", EmbeddingModel = "concepts" }, ct);
        Assert.Equal(0, _models.Calls);

        IReadOnlyList<IngestionResult> pumps = await _collections.IngestAsync("pumps", [DocumentSource.FromText("reset.md", "# Reset\n\nHold the blue button of the pump for ten seconds to reset it.", ContentFormat.Markdown)], cancellationToken: ct);
        await _collections.IngestAsync("garden", [DocumentSource.FromText("tomatoes.txt", "Water the tomatoes every morning; the pump in the shed fills the can.")], cancellationToken: ct);
        Assert.Equal(40, pumps[0].MaxTokens);
        Assert.Equal("pumps", pumps[0].Collection);

        IReadOnlyList<CollectionInfo> all = await _collections.ListAsync(ct);
        Assert.Equal(["garden", "pumps"], all.Select(c => c.Definition.Name));
        CollectionInfo info = all[1];
        Assert.Equal("Pump manuals", info.Definition.Description);
        Assert.Equal(1, info.Statistics.Documents);
        Assert.True(info.Statistics.ContentBytes > 0);
        Assert.Equal(256, info.Statistics.Dimensions);

        IReadOnlyList<SearchHit> both = await _collections.SearchAsync(["pumps", "garden"], "pump", new SearchOptions { Top = 5, Alpha = 0 }, ct);
        Assert.Equal(["garden", "pumps"], both.Select(h => h.Citation.Collection).Order());
        IReadOnlyList<SearchHit> one = await _collections.SearchAsync(["garden"], "pump", null, ct);
        Assert.Equal("tomatoes.txt", Assert.Single(one).Citation.Source);

        await _collections.DeleteAsync("garden", ct);
        Assert.Equal(["pumps"], (await _collections.ListAsync(ct)).Select(c => c.Definition.Name));
        Assert.False(Directory.Exists(Path.Combine(_directory, "garden")));
    }

    [Fact]
    public async Task BadDefinitionsAndUnknownNamesAreOwnExceptions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal("name", (await Assert.ThrowsAsync<InvalidKnowledgeRequestException>(() => _collections.CreateAsync(new CollectionDefinition { Name = "../x", EmbeddingModel = "concepts" }, ct))).ParamName);
        Assert.Equal("chunking", (await Assert.ThrowsAsync<InvalidKnowledgeRequestException>(() => _collections.CreateAsync(new CollectionDefinition { Name = "x", EmbeddingModel = "concepts", ChunkMaxTokens = 10, ChunkOverlapTokens = 10 }, ct))).ParamName);
        await Assert.ThrowsAsync<InvalidKnowledgeRequestException>(() => _collections.CreateAsync(new CollectionDefinition { Name = "x", EmbeddingModel = "unknown" }, ct));
        Assert.Empty(Directory.GetDirectories(_directory));
        await _collections.CreateAsync(new CollectionDefinition { Name = "x", EmbeddingModel = "concepts" }, ct);
        await Assert.ThrowsAsync<CollectionExistsException>(() => _collections.CreateAsync(new CollectionDefinition { Name = "x", EmbeddingModel = "concepts" }, ct));
        Assert.Equal("missing", (await Assert.ThrowsAsync<CollectionNotFoundException>(() => _collections.GetAsync("missing", ct))).Collection);
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => _collections.SearchAsync(["x", "missing"], "q", null, ct));
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => _collections.StartIngestionAsync("missing", [DocumentSource.FromText("a", "b")], cancellationToken: ct));
    }

    [Fact]
    public async Task AJobReportsProgressAndAFailingDocumentDoesNotFailIt()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "docs", EmbeddingModel = "concepts" }, ct);
        DocumentSource[] sources = [.. Enumerable.Range(0, 5).Select(i => DocumentSource.FromText($"note{i}", $"Note number {i} about harbours.")), DocumentSource.FromBytes("broken.pdf", [1, 2, 3])];

        IngestionJob job = await _collections.StartIngestionAsync("docs", sources, cancellationToken: ct);
        Assert.Same(job, _collections.GetJob(job.Id));
        List<IngestionJobProgress> seen = await job.WatchAsync(ct).ToListAsync(ct);
        await job.Completion;

        IngestionJobProgress last = seen[^1];
        Assert.Equal(IngestionJobStatus.Completed, job.Status);
        Assert.Equal(IngestionJobStatus.Completed, last.Status);
        Assert.Equal(6, last.DocumentsCompleted);
        Assert.Equal(1, last.DocumentsFailed);
        Assert.Equal(5, last.Chunks);
        Assert.Equal(last.BytesTotal, last.BytesCompleted);
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.Contains(job.Results, r => r.Source == "broken.pdf" && r.Status == IngestionStatus.Failed);

        IngestionJob again = await _collections.StartIngestionAsync("docs", sources[..5], cancellationToken: ct);
        await again.Completion;
        Assert.Equal(5, again.GetProgress().DocumentsUnchanged);
    }

    [Fact]
    public async Task ChatRetrievesFromTheCollectionsARequestNames()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "pumps", EmbeddingModel = "concepts" }, ct);
        await _collections.IngestAsync("pumps", [DocumentSource.FromText("reset.md", "Hold the blue button to reset the pump.")], cancellationToken: ct);
        var model = new EchoChatClient();
        IChatClient client = model.AsBuilder().UseRag(_collections).Build();

        ChatResponse plain = await client.GetResponseAsync("How do I reset the pump?", cancellationToken: ct);
        Assert.Single(model.LastMessages!);
        Assert.Null(plain.AdditionalProperties);

        var options = new ChatOptions { AdditionalProperties = new() { [RagChatClient.KnowledgeKey] = new KnowledgeChatRequest { Collections = ["pumps"], Top = 1 } } };
        ChatResponse answered = await client.GetResponseAsync("How do I reset the pump?", options, ct);
        Assert.Equal(2, model.LastMessages!.Count);
        Assert.Contains("Hold the blue button", model.LastMessages[0].Text, StringComparison.Ordinal);
        Assert.Equal("reset.md", Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<Citation>>(answered.AdditionalProperties![RagChatClient.CitationsPropertyName])).Source);
        Assert.Same(_collections, client.GetService<KnowledgeCollections>());

        options.AdditionalProperties[RagChatClient.KnowledgeKey] = new KnowledgeChatRequest { Collections = ["missing"] };
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => client.GetResponseAsync("How?", options, ct));
    }

    private sealed class Models : IEmbeddingModelResolver
    {
        private readonly ConceptEmbeddingGenerator _concepts = new();

        public int Calls => _concepts.Calls;

        public Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken) =>
            model == "concepts"
                ? Task.FromResult<IEmbeddingGenerator<string, Embedding<float>>>(_concepts)
                : throw new InvalidKnowledgeRequestException($"No embedding model '{model}'.", "embedding_model");
    }

    private sealed class EchoChatClient : IChatClient
    {
        public IList<ChatMessage>? LastMessages { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            LastMessages = [.. messages];
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Press it [1].")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
