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
    public async Task PdfIsReadPageByPageWithTitleParagraphsAndImageCountsPerPage()
    {
        string[] first =
        [
            "Panels face south in the northern hemisphere and should be tilted at about the site latitude for the best yield over a year.",
            "Clean the glass twice a year; dust and pollen cost more output than most people expect from such a thin layer.",
        ];
        string[] third = ["Batteries need ventilation because lead-acid cells give off hydrogen while they charge."];
        byte[] pdf = TestPdf.Write("Solar Notes", [first, [], third], imagesPerPage: [2, 0, 1]);

        ParsedDocument document = await new PdfReader().ReadAsync(pdf, null, TestContext.Current.CancellationToken);

        Assert.Equal("Solar Notes", document.Title);
        Assert.Equal([.. first, .. third], BlockTexts(document).Select(t => t.Replace('\n', ' ')));
        Assert.All(BlockTexts(document)[..2], t => Assert.Contains('\n', t));
        Assert.Equal([1, 1, 3], document.Blocks.Select(b => b.Page));
        Assert.All(document.Blocks, b => Assert.Equal(BlockKind.Paragraph, b.Kind));
        Assert.Equal(3, document.Metadata["pages"]);
        Assert.Equal(3, document.Metadata["images"]);
        Assert.Equal([2, 0, 1], (int[])document.Metadata["imagesPerPage"]);
    }

    [Fact]
    public async Task PdfBlocksFollowReadingOrderNotTheOrderTheFileDrawsThem()
    {
        byte[] pdf = TestPdf.TwoColumns(
            "Cabin Maintenance",
            left: ["Left one: drain the water pipes before the first frost arrives in autumn.", "Left two: sweep the chimney every spring before the stove is used again."],
            right: ["Right one: check the roof for loose shingles after every winter storm.", "Right two: oil the door hinges so that they do not rust shut in the damp."]);

        ParsedDocument document = await new PdfReader().ReadAsync(pdf, null, TestContext.Current.CancellationToken);

        Assert.Equal(["Cabin Maintenance", "Left one", "Left two", "Right one", "Right two"], BlockTexts(document).Select(t => t.Split(':')[0]));
        Assert.Null(document.Title);
        Assert.Equal(0, document.Metadata["images"]);
    }

    [Fact]
    public async Task PasswordProtectedPdfIsAClearReadError()
    {
        byte[] pdf = TestPdf.WithPassword(TestPdf.Write("Secret", [["Only for the owner."]], withImage: false));

        var error = await Assert.ThrowsAsync<DocumentReadException>(() => new PdfReader().ReadAsync(pdf, null, TestContext.Current.CancellationToken));

        Assert.Contains("password", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> CorruptPdfs() => ["truncated", "garbage", "no header"];

    [Theory]
    [MemberData(nameof(CorruptPdfs))]
    public async Task CorruptPdfIsAClearReadError(string damage)
    {
        byte[] good = TestPdf.Write("Whole", [["A perfectly good page."]], withImage: true);
        byte[] pdf = damage switch
        {
            "truncated" => good[..(good.Length / 2)],
            "garbage" => [.. "%PDF-1.7\n"u8, .. Enumerable.Repeat((byte)'x', 500)],
            _ => good[16..],
        };

        var error = await Assert.ThrowsAsync<DocumentReadException>(() => new PdfReader().ReadAsync(pdf, null, TestContext.Current.CancellationToken));

        Assert.StartsWith("Not a readable PDF: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScannedPdfWithoutTextSaysSo()
    {
        byte[] pdf = TestPdf.Write("Scan", [[], []], imagesPerPage: [1, 1]);

        var error = await Assert.ThrowsAsync<DocumentReadException>(() => new PdfReader().ReadAsync(pdf, null, TestContext.Current.CancellationToken));

        Assert.Contains("no text layer", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 page(s)", error.Message, StringComparison.Ordinal);
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
