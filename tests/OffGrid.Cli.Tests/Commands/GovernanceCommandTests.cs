using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using OffGrid.Governance;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

/// <summary>
/// <c>offgrid users|keys|quota|usage|audit</c> as real processes over the governance files of their OFFGRID_HOME, which this
/// test process also opens through the library, as a running server would.
/// </summary>
public sealed class GovernanceCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    public void Dispose() => _cli.Dispose();

    private GovernanceOptions Options => new() { DirectoryPath = Path.Combine(_cli.Home, "governance") };

    [Fact]
    public async Task UsersAreAddedListedPromotedAndRemoved()
    {
        (await _cli.RunAsync("users", "add", "ada", "--role", "admin")).AssertSuccess();
        (await _cli.RunAsync("users", "add", "bob", "--models", "qwen*", "stories")).AssertSuccess();
        (await _cli.RunWithInputAsync("a long passphrase\n", "users", "add", "carol", "--password-stdin")).AssertSuccess();

        CliResult table = await _cli.RunAsync("users", "list");
        table.AssertSuccess();
        Assert.Contains("qwen*, stories", table.Stdout, StringComparison.Ordinal);

        (await _cli.RunAsync("users", "role", "bob", "ADMIN")).AssertSuccess();
        (await _cli.RunAsync("users", "rm", "carol")).AssertSuccess();

        CliResult json = await _cli.RunAsync("users", "list", "--json");
        json.AssertSuccess();
        using JsonDocument users = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["ada", "bob"], users.RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        Assert.All(users.RootElement.EnumerateArray(), u => Assert.Equal("admin", u.GetProperty("role").GetString()));
        Assert.False(users.RootElement[0].GetProperty("has_password").GetBoolean());

        Assert.Contains("already exists", (await _cli.RunAsync("users", "add", "ADA")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("no user 'carol'", (await _cli.RunAsync("users", "rm", "carol")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("not a valid user name", (await _cli.RunAsync("users", "add", "ada lovelace")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("Unknown role 'root'", (await _cli.RunAsync("users", "role", "bob", "root")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("at least 8 characters", (await _cli.RunWithInputAsync("short\n", "users", "add", "dan", "--password-stdin")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyIsPrintedOnceWorksAndStopsWorkingWhenRevoked()
    {
        (await _cli.RunAsync("users", "add", "bob")).AssertSuccess();

        CliResult created = await _cli.RunAsync("keys", "create", "bob", "--name", "notebook", "--expires", "30d");
        created.AssertSuccess();
        string key = created.Stdout.Trim();
        Assert.Matches("^og_[0-9A-Za-z]{12}_[0-9A-Za-z]{40}$", key);
        Assert.Contains("not shown again", created.Stderr, StringComparison.Ordinal);
        var keys = new OffGrid.Governance.ApiKeys.ApiKeyStore(Options);
        Assert.True((await keys.ValidateAsync(key, TestContext.Current.CancellationToken)).IsValid);

        CliResult listed = await _cli.RunAsync("keys", "list", "--json");
        listed.AssertSuccess();
        Assert.DoesNotContain(key[16..], listed.Stdout, StringComparison.Ordinal);
        using (JsonDocument list = JsonDocument.Parse(listed.Stdout))
        {
            JsonElement only = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal((key[..15], "notebook", "active"), (only.GetProperty("id").GetString(), only.GetProperty("name").GetString(), only.GetProperty("status").GetString()));
            Assert.InRange(only.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));
        }

        (await _cli.RunAsync("keys", "revoke", key[..15])).AssertSuccess();
        Assert.Equal(OffGrid.Governance.ApiKeys.ApiKeyFailure.Revoked, (await keys.ValidateAsync(key, TestContext.Current.CancellationToken)).Failure);
        Assert.Contains("revoked", (await _cli.RunAsync("keys", "list")).Stdout, StringComparison.Ordinal);

        Assert.Contains("no API key 'og_nope'", (await _cli.RunAsync("keys", "revoke", "og_nope")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("no user 'nobody'", (await _cli.RunAsync("keys", "create", "nobody")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("'soon' is not a time", (await _cli.RunAsync("keys", "create", "bob", "--expires", "soon")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageShowsWhatTheEngineReportedAndTheQuotaLeft()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (await _cli.RunAsync("users", "add", "ada")).AssertSuccess();
        (await _cli.RunAsync("quota", "set", "--role", "user", "--tokens-per-day", "100000", "--requests-per-minute", "30")).AssertSuccess();

        await OffGridCli.RuntimeAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.Tiny, cancellationToken: ct);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1 });
        IChatClient chat = new ChatClientBuilder(new LlamaChatClient(engine)).UseQuotas(new QuotaService(Options)).Build();
        ChatResponse answer = await chat.GetResponseAsync("hello", new ChatOptions { MaxOutputTokens = 5 }.WithCaller("ada"), ct);

        CliResult json = await _cli.RunAsync("usage", "--user", "ada", "--json");
        json.AssertSuccess();
        using JsonDocument usage = JsonDocument.Parse(json.Stdout);
        JsonElement today = Assert.Single(usage.RootElement.GetProperty("usage").EnumerateArray());
        Assert.Equal(1, today.GetProperty("requests").GetInt64());
        Assert.Equal(answer.Usage!.TotalTokenCount, today.GetProperty("total_tokens").GetInt64());
        Assert.Equal(100000, usage.RootElement.GetProperty("quota").GetProperty("limits").GetProperty("tokens_per_day").GetInt64());

        CliResult table = await _cli.RunAsync("usage");
        table.AssertSuccess();
        Assert.Contains($"of 100,000 tokens", (await _cli.RunAsync("usage", "--user", "ada")).Stdout, StringComparison.Ordinal);
        Assert.Contains("ada", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("--days must be between", (await _cli.RunAsync("usage", "--days", "0")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerifyNamesTamperedEntriesAndExportWritesEachFormat()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var log = new AuditLog(Options);
        foreach ((string user, int status) in new[] { ("ada", 200), ("bob", 429), ("ada", 200) })
        {
            await log.AppendAsync(new AuditEvent { UserName = user, Route = "/v1/chat/completions", Model = "stories", Status = status, InputTokens = 5, OutputTokens = 7 }, ct);
        }

        CliResult intact = await _cli.RunAsync("audit", "verify");
        intact.AssertSuccess();
        Assert.Contains("intact: 3 entries (1 to 3)", intact.Stdout, StringComparison.Ordinal);

        string xlsx = Path.Combine(_cli.Home, "audit.xlsx");
        (await _cli.RunAsync("audit", "export", "-o", xlsx, "--user", "ada")).AssertSuccess();
        using (SpreadsheetDocument workbook = SpreadsheetDocument.Open(xlsx, isEditable: false))
        {
            Assert.Equal(3, workbook.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Row>().Count());
        }

        CliResult csv = await _cli.RunAsync("audit", "export", "--format", "csv", "--status", "429");
        csv.AssertSuccess();
        Assert.Equal(2, csv.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",bob,", csv.Stdout, StringComparison.Ordinal);

        CliResult json = await _cli.RunAsync("audit", "export", "--since", "1h");
        json.AssertSuccess();
        Assert.Equal(3, JsonDocument.Parse(json.Stdout).RootElement.GetArrayLength());

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_cli.Home, "governance", "audit.db")};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand tamper = connection.CreateCommand();
            tamper.CommandText = "DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET status = 200 WHERE seq = 2;";
            tamper.ExecuteNonQuery();
        }

        CliResult altered = await _cli.RunAsync("audit", "verify");
        Assert.Contains("The audit log was altered: 1 problem(s) in 3 entries.", altered.AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("changed: Entry 2 was changed", altered.Stdout, StringComparison.Ordinal);
        Assert.Contains("'yesterday' is not a time", (await _cli.RunAsync("audit", "export", "--since", "yesterday")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }
}
