using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Storage;
using OffGrid.Testing;
using OffGrid.Testing.Conformance;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Rag.Tests.Chat;

/// <summary>
/// <c>UseRag</c> over <see cref="LlamaChatClient"/> (Qwen 2.5's template, random weights) with a real knowledge base embedded by
/// stories260K: retrieval must not break anything an <see cref="IChatClient"/> promises.
/// </summary>
public sealed class RagChatClientConformanceTests : ChatClientConformanceTests
{
    private readonly string _dir = TestPaths.NewTempDir("offgrid-rag-conformance");
    private LlamaModel? _chatModel;
    private LlamaModel? _embeddingModel;
    private LlamaEngine? _engine;
    private LlamaEmbeddingGenerator? _embeddings;
    private KnowledgeBase? _knowledgeBase;

    protected override async Task<IChatClient> CreateClientAsync()
    {
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _embeddingModel = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _embeddings = new LlamaEmbeddingGenerator(_embeddingModel);
        _knowledgeBase = new KnowledgeBase(new RagOptions { DatabasePath = Path.Combine(_dir, "kb.db"), VectorSearch = VectorSearchMode.Exact }, _embeddings);
        await _knowledgeBase.IngestAsync(
            [DocumentSource.FromText("cat", "A cat is a small animal. The word cat has three letters."), DocumentSource.FromText("count", "Counting goes one, two, three.")],
            cancellationToken: TestContext.Current.CancellationToken);

        _chatModel = await LlamaModel.LoadAsync(TemplateModels.Qwen);
        _engine = new LlamaEngine(_chatModel, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 2048 });
        return new LlamaChatClient(_engine).AsBuilder().UseRag(_knowledgeBase, o => o.MaxContextTokens = 100).Build();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _knowledgeBase?.Dispose();
        _embeddings?.Dispose();
        _engine?.Dispose();
        _chatModel?.Dispose();
        _embeddingModel?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
