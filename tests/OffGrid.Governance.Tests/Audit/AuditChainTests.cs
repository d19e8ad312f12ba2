using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Tests.TestSupport;

namespace OffGrid.Governance.Tests.Audit;

/// <summary>The chain against someone who edits the SQLite file directly.</summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 10, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task AnUntouchedChainVerifies()
    {
        AuditLog log = await AppendAsync(10);

        AuditVerification result = await log.VerifyAsync(TestContext.Current.CancellationToken);

        Assert.True(result.IsIntact, string.Join(" ", result.Problems.Select(p => p.Message)));
        Assert.Equal(10, result.EntriesChecked);
        Assert.Equal((1, 10), (result.FirstSequence, result.LastSequence));
    }

    [Fact]
    public async Task ConcurrentAppendsFromTwoLogsFormOneIntactChain()
    {
        // Two logs over one file stand for two processes (a server and the CLI); each commits what queued meanwhile together.
        var first = new AuditLog(_home.Options, _time);
        var second = new AuditLog(_home.Options, _time);
        CancellationToken ct = TestContext.Current.CancellationToken;

        AuditEntry[] entries = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).AppendAsync(new AuditEvent { UserName = $"user{i}", Route = "/v1/chat/completions", Status = 200 }, ct), ct)));
        List<AuditEntry> stored = await first.QueryAsync(cancellationToken: ct).ToListAsync(ct);
        AuditVerification result = await second.VerifyAsync(ct);

        Assert.Equal(Enumerable.Range(1, 64).Select(i => (long)i), entries.Select(e => e.Sequence).Order());
        Assert.Equal(entries.OrderBy(e => e.Sequence).Select(e => (e.Event.UserName, e.Hash)), stored.Select(e => (e.Event.UserName, e.Hash)));
        Assert.True(result.IsIntact, string.Join(" ", result.Problems.Select(p => p.Message)));
        Assert.Equal(64, result.EntriesChecked);
    }

    [Fact]
    public async Task TheLibraryRefusesToRewriteEntries()
    {
        await AppendAsync(2);

        Assert.Throws<SqliteException>(() => AuditFile.Execute(_home.Options.AuditDatabasePath, "UPDATE audit_entries SET user_name = 'x'"));
        Assert.Throws<SqliteException>(() => AuditFile.Execute(_home.Options.AuditDatabasePath, "DELETE FROM audit_entries"));
    }

    [Fact]
    public async Task NamesAChangedEntry()
    {
        AuditLog log = await AppendAsync(10);
        AuditFile.Tamper(_home.Options.AuditDatabasePath, "UPDATE audit_entries SET output_tokens = 1 WHERE seq = 4;");

        AuditProblem problem = Assert.Single((await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems);

        Assert.Equal((AuditProblemKind.Changed, 4L), (problem.Kind, problem.Sequence));
        Assert.Equal("Entry 4 was changed: its content does not match its seal.", problem.Message);
    }

    [Fact]
    public async Task NamesAChangedEntryEvenWhenItsHashWasRecomputedWithoutTheKey()
    {
        AuditLog log = await AppendAsync(5);
        // Someone who knows the scheme but not the key recomputes a SHA-256 over the edited row.
        AuditFile.Tamper(
            _home.Options.AuditDatabasePath,
            "UPDATE audit_entries SET user_name = 'mallory', hash = lower(hex(randomblob(32))) WHERE seq = 2;");

        IReadOnlyList<AuditProblem> problems = (await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems;

        Assert.Contains(problems, p => p is { Kind: AuditProblemKind.Changed, Sequence: 2 });
        Assert.All(problems, p => Assert.Equal(AuditProblemKind.Changed, p.Kind));
    }

    [Fact]
    public async Task NamesADeletedEntry()
    {
        AuditLog log = await AppendAsync(10);
        AuditFile.Tamper(_home.Options.AuditDatabasePath, "DELETE FROM audit_entries WHERE seq = 6;");

        AuditProblem problem = Assert.Single((await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems);

        Assert.Equal((AuditProblemKind.Deleted, 6L), (problem.Kind, problem.Sequence));
        Assert.Equal("Entry 6 was deleted.", problem.Message);
    }

    [Fact]
    public async Task NamesEntriesCutFromTheEnd()
    {
        AuditLog log = await AppendAsync(10);
        AuditFile.Tamper(_home.Options.AuditDatabasePath, "DELETE FROM audit_entries WHERE seq >= 9;");

        AuditProblem problem = Assert.Single((await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems);

        Assert.Equal((AuditProblemKind.Deleted, 9L), (problem.Kind, problem.Sequence));
        Assert.Equal("Entries 9 to 10 were deleted.", problem.Message);
    }

    [Fact]
    public async Task NamesAReorderedEntry()
    {
        AuditLog log = await AppendAsync(10);
        // Swap where entries 3 and 7 are stored.
        AuditFile.Tamper(_home.Options.AuditDatabasePath, """
            UPDATE audit_entries SET position = -1 WHERE seq = 3;
            UPDATE audit_entries SET position = 3 WHERE seq = 7;
            UPDATE audit_entries SET position = 7 WHERE seq = 3;
            """);

        IReadOnlyList<AuditProblem> problems = (await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems;

        Assert.Equal([(AuditProblemKind.Reordered, 3L), (AuditProblemKind.Reordered, 7L)], problems.Select(p => (p.Kind, p.Sequence)));
        Assert.Equal("Entry 3 was moved: it is stored out of its place in the chain.", problems[0].Message);
    }

    [Fact]
    public async Task NamesADuplicatedEntryAndAnAlteredHead()
    {
        AuditLog log = await AppendAsync(4);
        AuditFile.Tamper(_home.Options.AuditDatabasePath, $"""
            INSERT INTO audit_entries(seq, ts, user_name, key_id, client, method, route, model, input_tokens, output_tokens, status, latency_us, prompt, answer, prev_hash, hash)
              SELECT seq, ts, user_name, key_id, client, method, route, model, input_tokens, output_tokens, status, latency_us, prompt, answer, prev_hash, hash FROM audit_entries WHERE seq = 2;
            UPDATE audit_markers SET seq = 3 WHERE name = 'head';
            """);

        IReadOnlyList<AuditProblem> problems = (await log.VerifyAsync(TestContext.Current.CancellationToken)).Problems;

        Assert.Contains(problems, p => p is { Kind: AuditProblemKind.Inserted, Sequence: 2 });
        Assert.Contains(problems, p => p is { Kind: AuditProblemKind.Changed, Sequence: 3 } && p.Message.Contains("head", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetentionRemovesOldEntriesAndTheRestStillVerifies()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _home.Options.Audit.Retention = TimeSpan.FromDays(30);
        AuditLog log = await AppendAsync(5);
        _time.Advance(TimeSpan.FromDays(40));
        await AppendAsync(3, log);

        Assert.Equal(5, await log.ApplyRetentionAsync(ct));
        Assert.Equal(0, await log.ApplyRetentionAsync(ct));

        AuditVerification afterRetention = await log.VerifyAsync(ct);
        Assert.True(afterRetention.IsIntact, string.Join(" ", afterRetention.Problems.Select(p => p.Message)));
        Assert.Equal((6, 8, 5), (afterRetention.FirstSequence, afterRetention.LastSequence, afterRetention.RemovedByRetention));
        Assert.Equal([6L, 7, 8], await log.QueryAsync(cancellationToken: ct).Select(e => e.Sequence).ToListAsync(ct));

        // The chain continues from the anchor, and deleting the first kept entry is still caught.
        await AppendAsync(1, log);
        Assert.True((await log.VerifyAsync(ct)).IsIntact);
        AuditFile.Tamper(_home.Options.AuditDatabasePath, "DELETE FROM audit_entries WHERE seq = 6;");
        AuditProblem deleted = Assert.Single((await log.VerifyAsync(ct)).Problems);
        Assert.Equal((AuditProblemKind.Deleted, 6L), (deleted.Kind, deleted.Sequence));

        // An altered log is kept as evidence: retention refuses to remove anything.
        _time.Advance(TimeSpan.FromDays(40));
        await Assert.ThrowsAsync<AuditIntegrityException>(() => log.ApplyRetentionAsync(ct));
    }

    [Fact]
    public async Task MovingTheRetentionAnchorIsDetected()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _home.Options.Audit.Retention = TimeSpan.FromDays(1);
        AuditLog log = await AppendAsync(3);
        _time.Advance(TimeSpan.FromDays(2));
        await AppendAsync(3, log);
        await log.ApplyRetentionAsync(ct);

        // Hiding entry 4 by deleting it and moving the anchor past it.
        AuditFile.Tamper(_home.Options.AuditDatabasePath, """
            DELETE FROM audit_entries WHERE seq = 4;
            UPDATE audit_markers SET seq = 5, hash = (SELECT prev_hash FROM audit_entries WHERE seq = 5) WHERE name = 'anchor';
            """);

        AuditProblem problem = Assert.Single((await log.VerifyAsync(ct)).Problems);
        Assert.Equal(AuditProblemKind.Changed, problem.Kind);
        Assert.Contains("anchor", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALostKeyFileFailsEveryEntryRatherThanPassing()
    {
        await AppendAsync(2);
        File.Delete(_home.Options.AuditKeyPath);

        AuditVerification result = await new AuditLog(_home.Options, _time).VerifyAsync(TestContext.Current.CancellationToken);

        Assert.Contains(result.Problems, p => p is { Kind: AuditProblemKind.Changed, Sequence: 1 });
        Assert.Contains(result.Problems, p => p is { Kind: AuditProblemKind.Changed, Sequence: 2 });
    }

    private async Task<AuditLog> AppendAsync(int count, AuditLog? log = null)
    {
        log ??= new AuditLog(_home.Options, _time);
        for (int i = 0; i < count; i++)
        {
            await log.AppendAsync(
                new AuditEvent
                {
                    UserName = i % 2 == 0 ? "ada" : "bob",
                    Route = "/v1/chat/completions",
                    Method = "POST",
                    Model = "stories",
                    InputTokens = 10 + i,
                    OutputTokens = 20 + i,
                    Status = 200,
                    Latency = TimeSpan.FromMilliseconds(12.5 + i),
                },
                TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return log;
    }
}
