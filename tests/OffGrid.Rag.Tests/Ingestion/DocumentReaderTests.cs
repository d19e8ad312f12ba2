using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Ingestion;

public sealed class DocumentReaderTests
{
    private static string[] BlockTexts(ParsedDocument document, BlockKind? kind = null) =>
        document.Blocks.Where(b => kind is null || b.Kind == kind).Select(b => document.Text[b.Start..b.End]).ToArray();

    [Fact]
    public async Task MarkdownKeepsHeadingsAsStructureAndCodeAndTablesAsBlocks()
    {
        const string markdown = """
            ---
            author: someone
            ---
            # Guide

            Intro paragraph with `inline code`.

            ## Install *now*

            - first step
            - second step

            ```bash
            apt-get install thing
            ```

            | a | b |
            |---|---|
            | 1 | 2 |
            """;
        ParsedDocument document = await new MarkdownReader().ReadAsync(Encoding.UTF8.GetBytes(markdown), null, TestContext.Current.CancellationToken);

        Assert.Equal("Guide", document.Title);
        Assert.Equal(["Guide", "Install now"], BlockTexts(document, BlockKind.Heading));
        Assert.Equal([1, 2], document.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.HeadingLevel));
        Assert.Equal("- first step\n- second step", Assert.Single(BlockTexts(document, BlockKind.List)));
        Assert.Contains("apt-get install thing", Assert.Single(BlockTexts(document, BlockKind.Code)), StringComparison.Ordinal);
        Assert.StartsWith("| a | b |", Assert.Single(BlockTexts(document, BlockKind.Table)), StringComparison.Ordinal);
        Assert.DoesNotContain("author", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlKeepsReadableTextHeadingsAndLinksAndDropsScriptsStylesAndNavigation()
    {
        const string html = """
            <!doctype html><html><head><title>Pump Manual</title><style>body { color: red }</style>
            <script>var secret = "tracking code";</script></head>
            <body><nav><a href="/home">Home</a> <a href="/about">About</a></nav>
            <main><h1>Pump</h1><p>The pump moves <b>water</b>. See <a href="specs.html">the specs</a>.</p>
            <h2>Maintenance</h2><ul><li>Clean the filter</li><li>Check the seal</li></ul>
            <pre>pump --reset</pre><table><tr><th>Part</th><th>Cost</th></tr><tr><td>Seal</td><td>4</td></tr></table>
            <div>Loose text in a div</div></main><footer>Copyright footer</footer></body></html>
            """;
        ParsedDocument document = await new HtmlReader().ReadAsync(Encoding.UTF8.GetBytes(html), new Uri("http://docs.example/manual/"), TestContext.Current.CancellationToken);

        Assert.Equal("Pump Manual", document.Title);
        Assert.Equal(["Pump", "Maintenance"], BlockTexts(document, BlockKind.Heading));
        Assert.Contains("The pump moves water. See the specs.", BlockTexts(document, BlockKind.Paragraph));
        Assert.Contains("Loose text in a div", BlockTexts(document, BlockKind.Paragraph));
        Assert.Equal("- Clean the filter\n- Check the seal", Assert.Single(BlockTexts(document, BlockKind.List)));
        Assert.Equal("pump --reset", Assert.Single(BlockTexts(document, BlockKind.Code)));
        Assert.Equal("Part | Cost\nSeal | 4", Assert.Single(BlockTexts(document, BlockKind.Table)));
        foreach (string dropped in new[] { "tracking code", "color: red", "Home", "About", "Copyright footer" })
        {
            Assert.DoesNotContain(dropped, document.Text, StringComparison.Ordinal);
        }

        var links = Assert.IsType<List<Dictionary<string, string>>>(document.Metadata["links"]);
        Assert.Equal("http://docs.example/manual/specs.html", Assert.Single(links)["href"]);
    }

    [Fact]
    public async Task DocxReadsHeadingsListsAndTables()
    {
        byte[] docx = WordDocument(body =>
        {
            body.Append(StyledParagraph("Title", "Field Handbook"));
            body.Append(StyledParagraph("Heading2", "Water"));
            body.Append(StyledParagraph(null, "Boil water for one minute."));
            body.Append(ListItem("Collect"), ListItem("Filter"));
            body.Append(new Table(
                new TableRow(new TableCell(new Paragraph(new Run(new Text("Item")))), new TableCell(new Paragraph(new Run(new Text("Litres"))))),
                new TableRow(new TableCell(new Paragraph(new Run(new Text("Bottle")))), new TableCell(new Paragraph(new Run(new Text("1")))))));
        });

        ParsedDocument document = await new DocxReader().ReadAsync(docx, null, TestContext.Current.CancellationToken);

        Assert.Equal("Field Handbook", document.Title);
        Assert.Equal(["Field Handbook", "Water"], BlockTexts(document, BlockKind.Heading));
        Assert.Equal([1, 2], document.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.HeadingLevel));
        Assert.Equal("Boil water for one minute.", Assert.Single(BlockTexts(document, BlockKind.Paragraph)));
        Assert.Equal("- Collect\n- Filter", Assert.Single(BlockTexts(document, BlockKind.List)));
        Assert.Equal("Item | Litres\nBottle | 1", Assert.Single(BlockTexts(document, BlockKind.Table)));
    }

    [Fact]
    public async Task CorruptDocxIsAReadError()
    {
        byte[] notAZip = [.. "PK\u0003\u0004"u8, .. Enumerable.Repeat((byte)7, 100)];
        await Assert.ThrowsAsync<DocumentReadException>(() => new DocxReader().ReadAsync(notAZip, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PdfIsReadPageByPageWithTitleAndImageCountFromPoppler()
    {
        byte[] pdf = MinimalPdfWriter.Write("Solar Notes", [["Panels face south.", "Tilt equals latitude."], ["Batteries need ventilation."]], withImage: true);

        ParsedDocument document = await new PdfReader(null, TimeSpan.FromSeconds(30)).ReadAsync(pdf, null, TestContext.Current.CancellationToken);

        Assert.Equal("Solar Notes", document.Title);
        Assert.Equal(2, document.Metadata["pages"]);
        Assert.Equal(1, document.Metadata["images"]);
        DocumentBlock batteries = document.Blocks.Single(b => document.Text[b.Start..b.End].Contains("Batteries", StringComparison.Ordinal));
        Assert.Equal(2, batteries.Page);
        Assert.All(document.Blocks.Where(b => document.Text[b.Start..b.End].Contains("Panels", StringComparison.Ordinal)), b => Assert.Equal(1, b.Page));
    }

    [Fact]
    public async Task PdfWithoutPopplerGivesAClearError()
    {
        string empty = OffGrid.Testing.TestPaths.NewTempDir("no-poppler");
        try
        {
            var error = await Assert.ThrowsAsync<DocumentReadException>(() =>
                new PdfReader(empty, TimeSpan.FromSeconds(30)).ReadAsync(MinimalPdfWriter.Write("x", [["y"]], false), null, TestContext.Current.CancellationToken));
            Assert.Contains("poppler", error.Message, StringComparison.Ordinal);
            Assert.Contains("pdftotext", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public async Task TextDecodingHandlesByteOrderMarksAndLatin1AndRejectsBinary()
    {
        var reader = new PlainTextReader();
        CancellationToken ct = TestContext.Current.CancellationToken;
        ParsedDocument utf16 = await reader.ReadAsync([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("naïve café")], null, ct);
        ParsedDocument latin1 = await reader.ReadAsync(Encoding.Latin1.GetBytes("crème brûlée"), null, ct);

        Assert.Equal("naïve café", utf16.Text);
        Assert.Equal("utf-16le", utf16.Metadata["encoding"]);
        Assert.Equal("crème brûlée", latin1.Text);
        Assert.Equal("iso-8859-1", latin1.Metadata["encoding"]);
        await Assert.ThrowsAsync<DocumentReadException>(() => reader.ReadAsync([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00], null, ct));
    }

    internal static byte[] WordDocument(Action<Body> fill)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            MainDocumentPart main = document.AddMainDocumentPart();
            var body = new Body();
            fill(body);
            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }

    private static Paragraph StyledParagraph(string? style, string text)
    {
        var paragraph = new Paragraph(new Run(new Text(text)));
        if (style is not null)
        {
            paragraph.PrependChild(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        return paragraph;
    }

    private static Paragraph ListItem(string text) =>
        new(new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 })), new Run(new Text(text)));
}
