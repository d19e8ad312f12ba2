using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.Quotas;

/// <summary>UseQuotas over the real llama.cpp engine: tokens come from the engine's own usage reports.</summary>
public sealed class QuotaChatClientTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_morning = new(2026, 4, 2, 9, 30, 0, TimeSpan.Zero);
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(s_morning);
    private TinyLlama _llama = null!;
    private UserDirectory _users = null!;
    private QuotaService _quotas = null!;
    private IChatClient _chat = null!;

    public async ValueTask InitializeAsync()
    {
        _llama = await TinyLlama.StartAsync();
        _users = new UserDirectory(_home.Options);
        _quotas = new QuotaService(_home.Options, _time);
        _chat = new ChatClientBuilder(_llama.Client).UseQuotas(_quotas).Build();
        await _users.AddAsync("ada", UserRole.User, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _llama.DisposeAsync();
        _home.Dispose();
    }

    private static ChatOptions Options(string user, int maxTokens = 8) => new ChatOptions { MaxOutputTokens = maxTokens }.WithCaller(user);

    [Fact]
    public async Task TokensPerDayAreCountedFromUsageAndRefusedUntilMidnight()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _quotas.SetUserLimitsAsync("ada", new QuotaLimits { TokensPerDay = 40 }, ct);

        long used = 0;
        QuotaExceededException? refusal = null;
        for (int call = 0; call < 10 && refusal is null; call++)
        {
            try
            {
                ChatResponse response = await _chat.GetResponseAsync("hello there", Options("ada"), ct);
                used += response.Usage!.TotalTokenCount!.Value;
            }
            catch (QuotaExceededException ex)
            {
                refusal = ex;
            }
        }

        Assert.NotNull(refusal);
        Assert.True(used >= 40, $"refused after {used} tokens");
        Assert.Equal((QuotaKind.TokensPerDay, 40L, "ada"), (refusal.Kind, refusal.Limit, refusal.UserName));
        Assert.Equal(new DateTimeOffset(2026, 4, 3, 0, 0, 0, TimeSpan.Zero), refusal.ResetAt);
        Assert.Equal(TimeSpan.FromHours(14.5), refusal.RetryAfter);
        Assert.Contains("40 tokens per day", refusal.Message, StringComparison.Ordinal);

        UsageSummary today = Assert.Single(await _quotas.GetUsageAsync("ada", cancellationToken: ct));
        Assert.Equal(used, today.TotalTokens);
        Assert.Equal(1, today.Rejected);
        Assert.Equal(used, (await _quotas.GetStatusAsync("ada", ct)).TokensToday);

        // A new service (a restarted server) reads today's use back and still refuses; the next UTC day starts from zero.
        var restarted = new ChatClientBuilder(_llama.Client).UseQuotas(new QuotaService(_home.Options, _time)).Build();
        await Assert.ThrowsAsync<QuotaExceededException>(() => restarted.GetResponseAsync("hello", Options("ada"), ct));
        _time.Advance(refusal.RetryAfter);
        Assert.NotEmpty((await restarted.GetResponseAsync("hello", Options("ada"), ct)).Messages);
    }

    [Fact]
    public async Task StreamingCountsTheUsageContent()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        long reported = 0;
        await foreach (ChatResponseUpdate update in _chat.GetStreamingResponseAsync("tell me", Options("ada", 12), ct))
        {
            reported += update.Contents.OfType<UsageContent>().Sum(u => u.Details.TotalTokenCount ?? 0);
        }

        Assert.True(reported > 12);
        UsageSummary usage = Assert.Single(await _quotas.GetUsageAsync("ada", cancellationToken: ct));
        Assert.Equal((1L, reported), (usage.Requests, usage.TotalTokens));
    }

    [Fact]
    public async Task AStreamStoppedEarlyIsStillCharged()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int read = 0;
        await foreach (ChatResponseUpdate update in _chat.GetStreamingResponseAsync("tell me", Options("ada", 32), ct))
        {
            if (update.Text.Length > 0 && ++read == 3)
            {
                break;
            }
        }

        UsageSummary usage = Assert.Single(await _quotas.GetUsageAsync("ada", cancellationToken: ct));
        Assert.Equal(3, usage.OutputTokens);
    }

    [Fact]
    public async Task RequestsPerMinuteRefuseWithTheExactResetTime()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _quotas.SetRoleLimitsAsync(UserRole.User, new QuotaLimits { RequestsPerMinute = 2 }, ct);

        await _chat.GetResponseAsync("a", Options("ada", 2), ct);
        _time.Advance(TimeSpan.FromSeconds(10));
        await _chat.GetResponseAsync("b", Options("ada", 2), ct);
        _time.Advance(TimeSpan.FromSeconds(5));

        QuotaExceededException refusal = await Assert.ThrowsAsync<QuotaExceededException>(() => _chat.GetResponseAsync("c", Options("ada", 2), ct));
        Assert.Equal(QuotaKind.RequestsPerMinute, refusal.Kind);
        Assert.Equal(s_morning.AddMinutes(1), refusal.ResetAt);
        Assert.Equal(TimeSpan.FromSeconds(45), refusal.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(44));
        await Assert.ThrowsAsync<QuotaExceededException>(() => _chat.GetResponseAsync("c", Options("ada", 2), ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _chat.GetResponseAsync("c", Options("ada", 2), ct);
    }

    [Fact]
    public async Task ConcurrentRequestsAreLimitedWhileAStreamIsOpen()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _quotas.SetUserLimitsAsync("ada", new QuotaLimits { ConcurrentRequests = 1 }, ct);

        await using (IAsyncEnumerator<ChatResponseUpdate> open = _chat.GetStreamingResponseAsync("first", Options("ada", 16), ct).GetAsyncEnumerator(ct))
        {
            Assert.True(await open.MoveNextAsync());
            Assert.Equal(1, (await _quotas.GetStatusAsync("ada", ct)).ActiveRequests);
            QuotaExceededException refusal = await Assert.ThrowsAsync<QuotaExceededException>(() => _chat.GetResponseAsync("second", Options("ada"), ct));
            Assert.Equal((QuotaKind.ConcurrentRequests, 1L), (refusal.Kind, refusal.Limit));
            Assert.True(refusal.RetryAfter > TimeSpan.Zero);
        }

        Assert.Equal(0, (await _quotas.GetStatusAsync("ada", ct)).ActiveRequests);
        await _chat.GetResponseAsync("second", Options("ada"), ct);
    }

    [Fact]
    public async Task UserLimitsReplaceRoleLimits()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _users.AddAsync("bob", UserRole.User, cancellationToken: ct);
        await _quotas.SetRoleLimitsAsync(UserRole.User, new QuotaLimits { TokensPerDay = 1 }, ct);
        await _quotas.SetUserLimitsAsync("bob", QuotaLimits.Unlimited, ct);

        await _chat.GetResponseAsync("a", Options("ada", 2), ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => _chat.GetResponseAsync("a", Options("ada", 2), ct));
        await _chat.GetResponseAsync("a", Options("bob", 2), ct);
        await _chat.GetResponseAsync("a", Options("bob", 2), ct);

        await _quotas.SetUserLimitsAsync("bob", null, ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => _chat.GetResponseAsync("a", Options("bob", 2), ct));
        Assert.Equal(1L, (await _quotas.GetRoleLimitsAsync(UserRole.User, ct)).TokensPerDay);
        await Assert.ThrowsAsync<GovernanceArgumentException>(() => _quotas.SetRoleLimitsAsync(UserRole.User, new QuotaLimits { RequestsPerMinute = 0 }, ct));
    }

    [Fact]
    public async Task CallersAreCheckedBeforeTheModelRuns()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _users.AddAsync("eve", UserRole.User, cancellationToken: ct);
        await _users.SetDisabledAsync("eve", true, ct);
        await _users.AddAsync("carl", UserRole.User, cancellationToken: ct);
        await _users.SetPermissionsAsync("carl", ["stories"], null, ct);
        await _users.AddAsync("audrey", UserRole.Auditor, cancellationToken: ct);

        Assert.Equal(AccessDeniedReason.NoCaller, (await Assert.ThrowsAsync<AccessDeniedException>(() => _chat.GetResponseAsync("a", new ChatOptions(), ct))).Reason);
        Assert.Equal(AccessDeniedReason.UnknownUser, (await Assert.ThrowsAsync<AccessDeniedException>(() => _chat.GetResponseAsync("a", Options("nobody"), ct))).Reason);
        Assert.Equal(AccessDeniedReason.AccountDisabled, (await Assert.ThrowsAsync<AccessDeniedException>(() => _chat.GetResponseAsync("a", Options("eve"), ct))).Reason);
        AccessDeniedException model = await Assert.ThrowsAsync<AccessDeniedException>(() => _chat.GetResponseAsync("a", Options("carl"), ct));
        Assert.Equal(AccessDeniedReason.ModelNotAllowed, model.Reason);
        Assert.Contains("'tiny'", model.Message, StringComparison.Ordinal);
        AccessDeniedException auditor = await Assert.ThrowsAsync<AccessDeniedException>(() => _chat.GetResponseAsync("a", Options("audrey"), ct));
        Assert.Equal(AccessDeniedReason.RoleRequired, auditor.Reason);
        Assert.Empty(await _quotas.GetUsageAsync(cancellationToken: ct));
    }

    [Fact]
    public async Task TheAmbientCallerReachesTheMiddlewareWithoutOptions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using (CallerContext.Enter(new Caller("ada")))
        {
            await _chat.GetResponseAsync("hello", new ChatOptions { MaxOutputTokens = 2 }, ct);
            await Task.Run(() => _chat.GetResponseAsync("from another task", new ChatOptions { MaxOutputTokens = 2 }, ct), ct);
        }

        Assert.Null(CallerContext.Current);
        Assert.Equal(2, Assert.Single(await _quotas.GetUsageAsync("ada", cancellationToken: ct)).Requests);
    }
}
