using Microsoft.Extensions.AI;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Governance.Tests.Audit;

/// <summary>UseAudit (outside UseQuotas) on an embedding pipeline over the real llama.cpp embedding generator (stories260K).</summary>
public sealed class AuditEmbeddingGeneratorTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private LlamaModel _model = null!;
    private LlamaEmbeddingGenerator _inner = null!;

    public async ValueTask InitializeAsync()
    {
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _inner = new LlamaEmbeddingGenerator(_model, new LlamaEmbeddingGeneratorOptions { ModelId = "stories" });
        await new UserDirectory(_home.Options).AddAsync("ada", UserRole.User, cancellationToken: TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _inner.Dispose();
        _model.Dispose();
        _home.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RecordsCallsAndRefusalsWithTheirTokens()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var log = new AuditLog(_home.Options);
        var quotas = new QuotaService(_home.Options);
        await quotas.SetUserLimitsAsync("ada", new QuotaLimits { RequestsPerMinute = 1 }, ct);
        IEmbeddingGenerator<string, Embedding<float>> embeddings = _inner.AsBuilder().UseAudit(log).UseQuotas(quotas).Build();
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [CallerContext.PropertyName] = new Caller("ada") { KeyId = "og_abcdefghijkl" } } };

        GeneratedEmbeddings<Embedding<float>> first = await embeddings.GenerateAsync(["Lily had a red ball.", "Tom ate an apple."], options, ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => embeddings.GenerateAsync(["again"], options, ct));

        List<AuditEntry> entries = await log.QueryAsync(cancellationToken: ct).ToListAsync(ct);
        Assert.Equal([200, 429], entries.Select(e => e.Event.Status));
        Assert.Equal(("ada", "og_abcdefghijkl", "embeddings", "stories"), (entries[0].Event.UserName, entries[0].Event.KeyId, entries[0].Event.Route, entries[0].Event.Model));
        Assert.Equal(first.Usage!.InputTokenCount, entries[0].Event.InputTokens);
        Assert.True(entries[0].Event.InputTokens > 0);
        Assert.Null(entries[1].Event.InputTokens);
        Assert.All(entries, e => Assert.Null(e.Event.Prompt));
        Assert.True((await log.VerifyAsync(ct)).IsIntact);
    }

    [Fact]
    public async Task RecordsTheInputsButNeverTheVectorsWhenContentIsOn()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _home.Options.Audit.RecordContent = true;
        var log = new AuditLog(_home.Options);
        IEmbeddingGenerator<string, Embedding<float>> embeddings = _inner.AsBuilder().UseAudit(log, g => g.Route = "index").Build();

        using (CallerContext.Enter(new Caller("ada")))
        {
            await embeddings.GenerateAsync(["Lily had a red ball.", "Tom ate an apple."], cancellationToken: ct);
        }

        AuditEntry entry = Assert.Single(await log.QueryAsync(cancellationToken: ct).ToListAsync(ct));
        Assert.Equal(("index", "ada"), (entry.Event.Route, entry.Event.UserName));
        Assert.Equal("Lily had a red ball.\nTom ate an apple.", entry.Event.Prompt);
        Assert.Null(entry.Event.Answer);
    }
}
