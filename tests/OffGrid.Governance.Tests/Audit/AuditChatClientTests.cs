using Microsoft.Extensions.AI;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.Audit;

/// <summary>UseAudit (outside UseQuotas) over the real llama.cpp engine.</summary>
public sealed class AuditChatClientTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private TinyLlama _llama = null!;

    public async ValueTask InitializeAsync()
    {
        _llama = await TinyLlama.StartAsync();
        await new UserDirectory(_home.Options).AddAsync("ada", UserRole.User, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _llama.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task RecordsCallsRefusalsAndStreamsWithoutContentByDefault()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var log = new AuditLog(_home.Options);
        var quotas = new QuotaService(_home.Options);
        await quotas.SetUserLimitsAsync("ada", new QuotaLimits { RequestsPerMinute = 2 }, ct);
        IChatClient chat = new ChatClientBuilder(_llama.Client).UseAudit(log).UseQuotas(quotas).Build();
        var caller = new Caller("ada") { KeyId = "og_abcdefghijkl" };

        ChatResponse answer = await chat.GetResponseAsync("hello", new ChatOptions { MaxOutputTokens = 6 }.WithCaller(caller), ct);
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("stream", new ChatOptions { MaxOutputTokens = 6 }.WithCaller(caller), ct))
        {
            Assert.NotNull(update);
        }

        await Assert.ThrowsAsync<QuotaExceededException>(() => chat.GetResponseAsync("third", new ChatOptions { MaxOutputTokens = 6 }.WithCaller(caller), ct));

        List<AuditEntry> entries = await log.QueryAsync(cancellationToken: ct).ToListAsync(ct);
        Assert.Equal([200, 200, 429], entries.Select(e => e.Event.Status));
        AuditEntry first = entries[0];
        Assert.Equal(("ada", "og_abcdefghijkl", "chat", "tiny"), (first.Event.UserName, first.Event.KeyId, first.Event.Route, first.Event.Model));
        Assert.Equal(answer.Usage!.InputTokenCount, first.Event.InputTokens);
        Assert.Equal(answer.Usage.OutputTokenCount, first.Event.OutputTokens);
        Assert.True(first.Event.Latency > TimeSpan.Zero);
        Assert.True(entries[1].Event.OutputTokens > 0);
        Assert.Null(entries[2].Event.OutputTokens);
        Assert.All(entries, e => Assert.Null(e.Event.Prompt));
        Assert.True((await log.VerifyAsync(ct)).IsIntact);
    }

    [Fact]
    public async Task ACallAfterItsRequestsEntryWasWrittenGetsAnEntryOfItsOwn()
    {
        // An agent run outlives the HTTP request that started it and still holds that request's scope.
        CancellationToken ct = TestContext.Current.CancellationToken;
        var log = new AuditLog(_home.Options);
        IChatClient chat = new ChatClientBuilder(_llama.Client).UseAudit(log).Build();
        AuditScope request = AuditScope.Begin("/v1/agents/runs");
        using IDisposable caller = CallerContext.Enter(new Caller("ada"));

        await chat.GetResponseAsync("during", new ChatOptions { MaxOutputTokens = 3 }, ct);
        await log.AppendAsync(request.Complete(new AuditEvent { Route = request.Route, UserName = "ada", Status = 202 }), ct);
        ChatResponse later = await chat.GetResponseAsync("after", new ChatOptions { MaxOutputTokens = 4 }, ct);

        List<AuditEntry> entries = await log.QueryAsync(cancellationToken: ct).ToListAsync(ct);
        Assert.Equal(2, entries.Count);
        Assert.Equal(("/v1/agents/runs", "tiny", 202), (entries[0].Event.Route, entries[0].Event.Model, entries[0].Event.Status));
        Assert.Equal(("/v1/agents/runs", "tiny", 200, "ada"), (entries[1].Event.Route, entries[1].Event.Model, entries[1].Event.Status, entries[1].Event.UserName));
        Assert.Equal(later.Usage!.OutputTokenCount, entries[1].Event.OutputTokens);
    }

    [Fact]
    public async Task RecordsPromptsAndAnswersWhenEnabled()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _home.Options.Audit.RecordContent = true;
        var log = new AuditLog(_home.Options);
        IChatClient chat = new ChatClientBuilder(_llama.Client).UseAudit(log, c => c.Route = "assistant").Build();

        ChatResponse answer = await chat.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "What is OffGrid?")],
            new ChatOptions { MaxOutputTokens = 6 }.WithCaller("ada"),
            ct);

        AuditEntry entry = Assert.Single(await log.QueryAsync(cancellationToken: ct).ToListAsync(ct));
        Assert.Equal("assistant", entry.Event.Route);
        Assert.Equal("system: Be brief.\nuser: What is OffGrid?", entry.Event.Prompt);
        Assert.Equal(answer.Text, entry.Event.Answer);
    }

    [Fact]
    public async Task AStreamAbandonedByItsReaderIsRecordedAsCancelled()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var log = new AuditLog(_home.Options);
        IChatClient chat = new ChatClientBuilder(_llama.Client).UseAudit(log).Build();

        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("x", new ChatOptions { MaxOutputTokens = 32 }.WithCaller("ada"), ct))
        {
            break;
        }

        AuditEntry entry = Assert.Single(await log.QueryAsync(cancellationToken: ct).ToListAsync(ct));
        Assert.Equal(GovernanceErrors.ClientClosedRequest, entry.Event.Status);
    }
}
