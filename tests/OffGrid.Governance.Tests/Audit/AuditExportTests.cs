using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Tests.TestSupport;

namespace OffGrid.Governance.Tests.Audit;

public sealed class AuditExportTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(s_start);

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task JsonHasEveryFieldAndFiltersApply()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        AuditLog log = await SeedAsync(recordContent: false);

        using JsonDocument all = await ExportJsonAsync(log, null);
        Assert.Equal(6, all.RootElement.GetArrayLength());
        JsonElement first = all.RootElement[0];
        Assert.Equal(1, first.GetProperty("sequence").GetInt64());
        Assert.Equal("2026-02-01T12:00:00.0000000Z", first.GetProperty("timestamp").GetString());
        Assert.Equal("ada", first.GetProperty("user").GetString());
        Assert.Equal("/v1/chat/completions", first.GetProperty("route").GetString());
        Assert.Equal("stories", first.GetProperty("model").GetString());
        Assert.Equal(11, first.GetProperty("input_tokens").GetInt64());
        Assert.Equal(200, first.GetProperty("status").GetInt32());
        Assert.Equal(250.5, first.GetProperty("latency_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("prompt").ValueKind);
        Assert.Equal(64, first.GetProperty("hash").GetString()!.Length);

        Assert.Equal(3, (await ExportJsonAsync(log, new AuditFilter { UserName = "ADA" })).RootElement.GetArrayLength());
        Assert.Equal(2, (await ExportJsonAsync(log, new AuditFilter { Model = "tiny" })).RootElement.GetArrayLength());
        Assert.Equal(1, (await ExportJsonAsync(log, new AuditFilter { Status = 429 })).RootElement.GetArrayLength());
        using JsonDocument window = await ExportJsonAsync(log, new AuditFilter { From = s_start.AddMinutes(2), To = s_start.AddMinutes(4) });
        Assert.Equal([3L, 4], window.RootElement.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        using JsonDocument none = await ExportJsonAsync(log, new AuditFilter { UserName = "bob", Status = 429 });
        Assert.Equal(0, none.RootElement.GetArrayLength());
        Assert.True((await log.VerifyAsync(ct)).IsIntact);
    }

    [Fact]
    public async Task CsvQuotesCellsAndDefusesFormulas()
    {
        AuditLog log = await SeedAsync(recordContent: true);
        using var output = new MemoryStream();

        long count = await log.ExportAsync(output, AuditExportFormat.Csv, new AuditFilter { UserName = "bob" }, TestContext.Current.CancellationToken);

        string[] lines = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, count);
        Assert.Equal(4, lines.Length);
        Assert.Equal("sequence,timestamp,user,key_id,client,method,route,model,input_tokens,output_tokens,status,latency_ms,prompt,answer,previous_hash,hash", lines[0]);
        Assert.StartsWith("2,2026-02-01T12:01:00.0000000Z,bob,,10.0.0.2,POST,/v1/chat/completions,tiny,12,22,200,251.5,", lines[1], StringComparison.Ordinal);
        // A prompt with a comma, a quote and a formula: quoted, quotes doubled, the formula made text.
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\"), click\",", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task XlsxIsAWorkbookWithOneRowPerEntry()
    {
        AuditLog log = await SeedAsync(recordContent: false);
        using var output = new MemoryStream();

        long count = await log.ExportAsync(output, AuditExportFormat.Xlsx, cancellationToken: TestContext.Current.CancellationToken);

        output.Position = 0;
        using SpreadsheetDocument workbook = SpreadsheetDocument.Open(output, isEditable: false);
        Sheet sheet = workbook.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single();
        Assert.Equal("Audit", sheet.Name!.Value);
        var rows = ((WorksheetPart)workbook.WorkbookPart.GetPartById(sheet.Id!)).Worksheet.Descendants<Row>().ToList();
        Assert.Equal(6, count);
        Assert.Equal(7, rows.Count);
        Assert.Equal("user", Text(rows[0].Elements<Cell>().ElementAt(2)));
        Assert.Equal("ada", Text(rows[1].Elements<Cell>().ElementAt(2)));
        Cell status = rows[6].Elements<Cell>().ElementAt(10);
        Assert.Equal(CellValues.Number, status.DataType!.Value);
        Assert.Equal("500", status.CellValue!.Text);
    }

    [Fact]
    public async Task ContentIsRecordedOnlyWhenEnabled()
    {
        AuditLog without = await SeedAsync(recordContent: false);
        Assert.All(await without.QueryAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken), e =>
        {
            Assert.Null(e.Event.Prompt);
            Assert.Null(e.Event.Answer);
        });
    }

    private static string? Text(Cell cell) => cell.InlineString?.Text?.Text ?? cell.CellValue?.Text;

    private static async Task<JsonDocument> ExportJsonAsync(AuditLog log, AuditFilter? filter)
    {
        using var output = new MemoryStream();
        await log.ExportAsync(output, AuditExportFormat.Json, filter, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(output.ToArray());
    }

    private async Task<AuditLog> SeedAsync(bool recordContent)
    {
        _home.Options.Audit.RecordContent = recordContent;
        var log = new AuditLog(_home.Options, _time);
        (string User, string Model, int Status)[] rows =
            [("ada", "stories", 200), ("bob", "tiny", 200), ("ada", "stories", 429), ("bob", "tiny", 200), ("ada", "stories", 200), ("bob", "other", 500)];
        for (int i = 0; i < rows.Length; i++)
        {
            await log.AppendAsync(
                new AuditEvent
                {
                    Timestamp = s_start.AddMinutes(i),
                    UserName = rows[i].User,
                    ClientAddress = "10.0.0." + (i + 1),
                    Method = "POST",
                    Route = "/v1/chat/completions",
                    Model = rows[i].Model,
                    InputTokens = 11 + i,
                    OutputTokens = 21 + i,
                    Status = rows[i].Status,
                    Latency = TimeSpan.FromMilliseconds(250.5 + i),
                    Prompt = "=HYPERLINK(\"http://x\"), click",
                    Answer = "fine",
                },
                TestContext.Current.CancellationToken);
        }

        return log;
    }
}
