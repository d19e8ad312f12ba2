using System.Globalization;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace OffGrid.Governance.Audit;

/// <summary>Writes audit entries as JSON, CSV or XLSX with one column set, streaming (an export never holds the log in memory).</summary>
internal static class AuditExport
{
    private static readonly (string Name, Func<AuditEntry, object?> Value)[] s_columns =
    [
        ("sequence", e => e.Sequence),
        ("timestamp", e => e.Timestamp),
        ("user", e => e.Event.UserName),
        ("key_id", e => e.Event.KeyId),
        ("client", e => e.Event.ClientAddress),
        ("method", e => e.Event.Method),
        ("route", e => e.Event.Route),
        ("model", e => e.Event.Model),
        ("input_tokens", e => e.Event.InputTokens),
        ("output_tokens", e => e.Event.OutputTokens),
        ("status", e => e.Event.Status),
        ("latency_ms", e => e.Event.Latency.TotalMilliseconds),
        ("prompt", e => e.Event.Prompt),
        ("answer", e => e.Event.Answer),
        ("previous_hash", e => e.PreviousHash),
        ("hash", e => e.Hash),
    ];

    public static async Task<long> WriteJsonAsync(IAsyncEnumerable<AuditEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        await foreach (AuditEntry entry in entries.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            foreach ((string name, Func<AuditEntry, object?> value) in s_columns)
            {
                writer.WritePropertyName(name);
                switch (value(entry))
                {
                    case null: writer.WriteNullValue(); break;
                    case long number: writer.WriteNumberValue(number); break;
                    case int number: writer.WriteNumberValue(number); break;
                    case double number: writer.WriteNumberValue(number); break;
                    case DateTimeOffset time: writer.WriteStringValue(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)); break;
                    case var text: writer.WriteStringValue(text.ToString()); break;
                }
            }

            writer.WriteEndObject();
            if (++count % 256 == 0)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        // Asynchronous all the way: an HTTP response body refuses synchronous writes.
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        return count;
    }

    public static async Task<long> WriteCsvAsync(IAsyncEnumerable<AuditEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        long count = 0;
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', s_columns.Select(c => c.Name))).ConfigureAwait(false);
        await foreach (AuditEntry entry in entries.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(string.Join(',', s_columns.Select(c => CsvCell(Text(c.Value(entry)))))).ConfigureAwait(false);
            count++;
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public static async Task<long> WriteXlsxAsync(IAsyncEnumerable<AuditEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        // The package writer needs a seekable stream; a temporary file keeps a large export out of memory.
        string temp = Path.Combine(Path.GetTempPath(), $"offgrid-audit-{Guid.NewGuid():N}.xlsx");
        try
        {
            long count;
            using (SpreadsheetDocument document = SpreadsheetDocument.Create(temp, SpreadsheetDocumentType.Workbook))
            {
                WorkbookPart workbook = document.AddWorkbookPart();
                WorksheetPart sheetPart = workbook.AddNewPart<WorksheetPart>();
                using (var writer = OpenXmlWriter.Create(sheetPart))
                {
                    writer.WriteStartElement(new Worksheet());
                    writer.WriteStartElement(new SheetData());
                    WriteRow(writer, s_columns.Select(c => (object?)c.Name));
                    count = 0;
                    await foreach (AuditEntry entry in entries.ConfigureAwait(false))
                    {
                        WriteRow(writer, s_columns.Select(c => c.Value(entry)));
                        count++;
                    }

                    writer.WriteEndElement();
                    writer.WriteEndElement();
                }

                workbook.Workbook = new Workbook(new Sheets(new Sheet { Name = "Audit", SheetId = 1, Id = workbook.GetIdOfPart(sheetPart) }));
                workbook.Workbook.Save();
            }

            await using var file = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            await file.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            return count;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void WriteRow(OpenXmlWriter writer, IEnumerable<object?> values)
    {
        writer.WriteStartElement(new Row());
        foreach (object? value in values)
        {
            Cell cell = value switch
            {
                null => new Cell(),
                long or int or double => new Cell { DataType = CellValues.Number, CellValue = new CellValue(Convert.ToString(value, CultureInfo.InvariantCulture)!) },
                _ => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(Text(value)!) { Space = SpaceProcessingModeValues.Preserve }) },
            };
            writer.WriteElement(cell);
        }

        writer.WriteEndElement();
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTimeOffset time => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string CsvCell(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // A cell starting with one of these runs as a formula in spreadsheet programs (CSV injection); a quote makes it text.
        if (text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
