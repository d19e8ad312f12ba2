using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Governance.Tests.Quotas;

/// <summary>UseQuotas on an embedding pipeline over the real llama.cpp embedding generator (stories260K).</summary>
public sealed class QuotaEmbeddingGeneratorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_morning = new(2026, 4, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(s_morning);
    private LlamaModel _model = null!;
    private LlamaEmbeddingGenerator _inner = null!;
    private UserDirectory _users = null!;
    private QuotaService _quotas = null!;
    private IEmbeddingGenerator<string, Embedding<float>> _embeddings = null!;

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _inner = new LlamaEmbeddingGenerator(_model, new LlamaEmbeddingGeneratorOptions { ModelId = "stories" });
        _users = new UserDirectory(_home.Options);
        _quotas = new QuotaService(_home.Options, _time);
        _embeddings = _inner.AsBuilder().UseQuotas(_quotas).Build();
        await _users.AddAsync("ada", UserRole.User, cancellationToken: ct);
        await _users.AddAsync("bob", UserRole.User, cancellationToken: ct);
        await _users.SetPermissionsAsync("bob", models: ["qwen*"], collections: null, ct);
    }

    public ValueTask DisposeAsync()
    {
        _inner.Dispose();
        _model.Dispose();
        _home.Dispose();
        return ValueTask.CompletedTask;
    }

    private static EmbeddingGenerationOptions As(string user) => new() { AdditionalProperties = new() { [CallerContext.PropertyName] = user } };

    [Fact]
    public async Task CallsAreCountedAndRefusedOverTheRequestsPerMinute()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _quotas.SetUserLimitsAsync("ada", new QuotaLimits { RequestsPerMinute = 2 }, ct);

        GeneratedEmbeddings<Embedding<float>> first = await _embeddings.GenerateAsync(["Lily had a red ball.", "Tom ate an apple."], As("ada"), ct);
        Assert.Equal(2, first.Count);
        GeneratedEmbeddings<Embedding<float>> second;
        using (CallerContext.Enter(new Caller("ada")))
        {
            second = await _embeddings.GenerateAsync(["The sun was hot."], cancellationToken: ct);
        }

        QuotaExceededException refused = await Assert.ThrowsAsync<QuotaExceededException>(() => _embeddings.GenerateAsync(["Again."], As("ada"), ct));
        Assert.Equal(QuotaKind.RequestsPerMinute, refused.Kind);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);

        UsageSummary usage = Assert.Single(await _quotas.GetUsageAsync("ada", cancellationToken: ct));
        Assert.Equal(2, usage.Requests);
        Assert.Equal(1, usage.Rejected);
        Assert.Equal(first.Usage!.InputTokenCount!.Value + second.Usage!.InputTokenCount!.Value, usage.InputTokens);
        Assert.True(usage.InputTokens > 0);
        Assert.Equal(0, usage.OutputTokens);
    }

    [Fact]
    public async Task ModelPermissionsAndCallersAreCheckedBeforeTheModelRuns()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        AccessDeniedException notAllowed = await Assert.ThrowsAsync<AccessDeniedException>(() => _embeddings.GenerateAsync(["hello"], As("bob"), ct));
        Assert.Equal(AccessDeniedReason.ModelNotAllowed, notAllowed.Reason);
        Assert.Equal("User 'bob' may not use the model 'stories'.", notAllowed.Message);

        AccessDeniedException anonymous = await Assert.ThrowsAsync<AccessDeniedException>(() => _embeddings.GenerateAsync(["hello"], cancellationToken: ct));
        Assert.Equal(AccessDeniedReason.NoCaller, anonymous.Reason);

        Assert.Empty(await _quotas.GetUsageAsync("bob", cancellationToken: ct));
    }
}
