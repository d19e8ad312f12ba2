using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests;

public sealed class RagServiceCollectionExtensionsTests : IDisposable
{
    private readonly TestKnowledgeBase _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public async Task TheKnowledgeBaseIsASingletonBuiltFromOptionsAndTheRegisteredEmbeddingGenerator()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_test.Generator);
        services.AddOffGridRag(o =>
        {
            o.DatabasePath = _test.DatabasePath;
            o.VectorSearch = VectorSearchMode.Exact;
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        KnowledgeBase kb = provider.GetRequiredService<KnowledgeBase>();
        Assert.Same(kb, provider.GetRequiredService<KnowledgeBase>());
        await kb.IngestAsync(DocumentSource.FromText("di", "registered through dependency injection"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(File.Exists(_test.DatabasePath));
    }

    [Fact]
    public void InvalidOptionsFailValidationAtStart()
    {
        var services = new ServiceCollection();
        services.AddOffGridRag(o => o.MaxDocumentBytes = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("MaxDocumentBytes", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new KnowledgeBase(new RagOptions { EmbeddingBatchSize = 0 }, _test.Generator));
    }
}
