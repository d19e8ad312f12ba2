using System.IO.Packaging;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace OffGrid.Rag.Ingestion;

/// <summary>Reads Word documents with the Open XML SDK: heading styles become structure, numbered paragraphs are grouped into lists, tables become rows of cells.</summary>
internal sealed class DocxReader : IDocumentReader
{
    public ContentFormat Format => ContentFormat.Docx;

    public Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using WordprocessingDocument document = WordprocessingDocument.Open(stream, isEditable: false);
            Body body = document.MainDocumentPart?.Document?.Body ?? throw new DocumentReadException("The Word document has no body.");
            var builder = new ParsedDocumentBuilder(Format);
            var list = new List<string>();
            foreach (OpenXmlElement element in body.Elements())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (element is Paragraph paragraph && IsListItem(paragraph))
                {
                    list.Add("- " + paragraph.InnerText.Trim());
                    continue;
                }

                FlushList(builder, list);
                switch (element)
                {
                    case Paragraph p when HeadingLevel(p) is int level:
                        builder.Title ??= level == 1 ? p.InnerText.Trim() : null;
                        builder.AddHeading(level, p.InnerText);
                        break;
                    case Paragraph p:
                        builder.Add(BlockKind.Paragraph, p.InnerText);
                        break;
                    case Table table:
                        IEnumerable<string> rows = table.Elements<TableRow>().Select(row => string.Join(" | ", row.Elements<TableCell>().Select(cell => cell.InnerText.Trim())));
                        builder.Add(BlockKind.Table, string.Join('\n', rows));
                        break;
                }
            }

            FlushList(builder, list);
            string? title = document.PackageProperties.Title;
            builder.Title = string.IsNullOrWhiteSpace(title) ? builder.Title : title;
            return Task.FromResult(builder.Build());
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or FileFormatException or InvalidDataException or System.Xml.XmlException)
        {
            throw new DocumentReadException($"Not a readable Word document: {ex.Message}", ex);
        }
    }

    private static void FlushList(ParsedDocumentBuilder builder, List<string> items)
    {
        if (items.Count > 0)
        {
            builder.Add(BlockKind.List, string.Join('\n', items));
            items.Clear();
        }
    }

    private static bool IsListItem(Paragraph paragraph) =>
        paragraph.ParagraphProperties?.NumberingProperties is not null
        || string.Equals(paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value, "ListParagraph", StringComparison.OrdinalIgnoreCase);

    private static int? HeadingLevel(Paragraph paragraph)
    {
        string? style = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        if (style is null)
        {
            return null;
        }

        if (style.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        return style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) && int.TryParse(style.AsSpan(7), out int level) && level is >= 1 and <= 9
            ? Math.Min(level, 6)
            : null;
    }
}
