using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Rag;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Testing;

namespace OffGrid.Governance.Tests.Users;

/// <summary>
/// UseCollectionAccess in front of a real UseRag pipeline (stories260K embeddings and answers, a SQLite knowledge base with an
/// <c>hr</c> and a <c>public</c> collection): only users allowed a collection get answers grounded in it.
/// </summary>
public sealed class CollectionAccessChatClientTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private LlamaModel _model = null!;
    private LlamaEngine _engine = null!;
    private LlamaEmbeddingGenerator _embeddings = null!;
    private KnowledgeBase _knowledgeBase = null!;
    private UserDirectory _users = null!;

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 512, Threads = 1 });
        _embeddings = new LlamaEmbeddingGenerator(_model);
        _knowledgeBase = new KnowledgeBase(new RagOptions { DatabasePath = Path.Combine(_home.Directory, "kb.db"), VectorSearch = VectorSearchMode.Exact }, _embeddings);
        await _knowledgeBase.IngestAsync(
            [
                DocumentSource.FromText("salaries", "Tom is paid ten apples a day. Lily is paid a red ball.") with { Collection = "hr" },
                DocumentSource.FromText("park", "The park has a big tree and a dog.") with { Collection = "public" },
            ],
            cancellationToken: ct);

        _users = new UserDirectory(_home.Options);
        await _users.AddAsync("ada", UserRole.Admin, cancellationToken: ct);
        await _users.AddAsync("hana", UserRole.User, cancellationToken: ct);
        await _users.SetPermissionsAsync("hana", models: null, collections: ["hr"], ct);
        await _users.AddAsync("bob", UserRole.User, cancellationToken: ct);
        await _users.SetPermissionsAsync("bob", models: null, collections: ["public*"], ct);
        await _users.AddAsync("carl", UserRole.Auditor, cancellationToken: ct);
        await _users.AddAsync("dave", UserRole.User, cancellationToken: ct);
        await _users.SetDisabledAsync("dave", true, ct);
    }

    public ValueTask DisposeAsync()
    {
        _knowledgeBase.Dispose();
        _embeddings.Dispose();
        _engine.Dispose();
        _model.Dispose();
        _home.Dispose();
        return ValueTask.CompletedTask;
    }

    private IChatClient Pipeline(string collection) => new LlamaChatClient(_engine).AsBuilder()
        .UseCollectionAccess(collection, _users)
        .UseRag(_knowledgeBase, o => o.Search = new SearchOptions { Top = 2, Collection = collection })
        .Build();

    private static ChatOptions As(string user) => new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }.WithCaller(user);

    [Theory]
    [InlineData("hana")]
    [InlineData("ada")]
    public async Task AllowedUsersGetAnswersFromTheCollection(string user)
    {
        ChatResponse response = await Pipeline("hr").GetResponseAsync("Who is paid apples?", As(user), TestContext.Current.CancellationToken);

        var citations = Assert.IsAssignableFrom<IReadOnlyList<Citation>>(response.AdditionalProperties![RagChatClient.CitationsPropertyName]);
        Assert.All(citations, c => Assert.Equal("hr", c.Collection));
        Assert.Contains(citations, c => c.Source == "salaries");
    }

    [Theory]
    [InlineData("bob", AccessDeniedReason.CollectionNotAllowed, "User 'bob' may not use the knowledge collection 'hr'.")]
    [InlineData("carl", AccessDeniedReason.CollectionNotAllowed, "User 'carl' may not use the knowledge collection 'hr'.")]
    [InlineData("dave", AccessDeniedReason.AccountDisabled, "The account 'dave' is disabled.")]
    [InlineData("nobody", AccessDeniedReason.UnknownUser, "There is no user 'nobody'.")]
    public async Task OthersAreRefusedBeforeTheSearchStreamingOrNot(string user, AccessDeniedReason reason, string message)
    {
        IChatClient chat = Pipeline("hr");
        CancellationToken ct = TestContext.Current.CancellationToken;

        AccessDeniedException refused = await Assert.ThrowsAsync<AccessDeniedException>(() => chat.GetResponseAsync("Who is paid apples?", As(user), ct));
        Assert.Equal(reason, refused.Reason);
        Assert.Equal(message, refused.Message);

        AccessDeniedException streamed = await Assert.ThrowsAsync<AccessDeniedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Who is paid apples?", As(user), ct))
            {
                Assert.Fail("A refused stream yielded an update: " + update.Text);
            }
        });
        Assert.Equal(reason, streamed.Reason);
    }

    [Fact]
    public async Task APatternAllowsMatchingCollectionsAndACallWithoutCallerIsRefused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        ChatResponse response = await Pipeline("public").GetResponseAsync("What is in the park?", As("bob"), ct);
        var citations = Assert.IsAssignableFrom<IReadOnlyList<Citation>>(response.AdditionalProperties![RagChatClient.CitationsPropertyName]);
        Assert.All(citations, c => Assert.Equal("public", c.Collection));

        AccessDeniedException anonymous = await Assert.ThrowsAsync<AccessDeniedException>(
            () => Pipeline("public").GetResponseAsync("What is in the park?", new ChatOptions { MaxOutputTokens = 4 }, ct));
        Assert.Equal(AccessDeniedReason.NoCaller, anonymous.Reason);
    }
}
