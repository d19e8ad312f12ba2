using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>
/// Writes real PDF files with PdfPig's <see cref="PdfDocumentBuilder"/> (Helvetica text, PNG images) for the reader tests.
/// Paragraphs are wrapped into lines 14 pt apart and set 36 pt apart from each other, as a typesetter would.
/// </summary>
internal static partial class TestPdf
{
    private const double Left = 60;
    private const double Top = 760;
    private const double LineHeight = 14;
    private const double ParagraphGap = 36;
    private const double FontSize = 11;

    // A 2x2 RGB PNG (red, green / blue, white).
    private static readonly byte[] s_png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC");

    /// <summary>Writes one page per entry of <paramref name="pages"/>, one image on the first page when <paramref name="withImage"/>.</summary>
    public static byte[] Write(string title, IReadOnlyList<IReadOnlyList<string>> pages, bool withImage) =>
        Write(title, pages, pages.Select((_, i) => withImage && i == 0 ? 1 : 0).ToArray());

    /// <summary>Writes one page per entry of <paramref name="pages"/> with <paramref name="imagesPerPage"/> images on each.</summary>
    public static byte[] Write(string? title, IReadOnlyList<IReadOnlyList<string>> pages, IReadOnlyList<int> imagesPerPage)
    {
        using var builder = new PdfDocumentBuilder();
        if (title is not null)
        {
            builder.DocumentInformation.Title = title;
        }

        PdfDocumentBuilder.AddedFont font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (int p = 0; p < pages.Count; p++)
        {
            PdfPageBuilder page = builder.AddPage(PageSize.A4);
            double y = Top;
            foreach (string paragraph in pages[p])
            {
                y = AddParagraph(page, font, paragraph, Left, y, 80);
            }

            for (int i = 0; i < imagesPerPage[p]; i++)
            {
                page.AddPng(s_png, new PdfRectangle(480, 80 + (i * 60), 520, 120 + (i * 60)));
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Writes one page with a heading across the top and two columns below it. The file draws the right column first and
    /// the heading last, so only a reader that orders blocks by position gets heading, left, right.
    /// </summary>
    public static byte[] TwoColumns(string heading, IReadOnlyList<string> left, IReadOnlyList<string> right)
    {
        using var builder = new PdfDocumentBuilder();
        PdfDocumentBuilder.AddedFont font = builder.AddStandard14Font(Standard14Font.Helvetica);
        PdfDocumentBuilder.AddedFont bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        PdfPageBuilder page = builder.AddPage(PageSize.A4);
        double y = Top - 40;
        foreach (string paragraph in right)
        {
            y = AddParagraph(page, font, paragraph, 320, y, 38);
        }

        y = Top - 40;
        foreach (string paragraph in left)
        {
            y = AddParagraph(page, font, paragraph, Left, y, 38);
        }

        page.AddText(heading, 18, new PdfPoint(Left, Top), bold);
        return builder.Build();
    }

    /// <summary>
    /// Adds a standard security handler (RC4, revision 2) to <paramref name="pdf"/> as an incremental update. Its password
    /// entries match no password, not even the empty one, so readers must ask for a password to open the file.
    /// </summary>
    public static byte[] WithPassword(byte[] pdf)
    {
        string text = Encoding.Latin1.GetString(pdf);
        string trailer = text[text.LastIndexOf("trailer", StringComparison.Ordinal)..];
        Match entries = TrailerEntries().Match(trailer);
        int size = int.Parse(entries.Groups["size"].Value, CultureInfo.InvariantCulture);
        string previous = StartXref().Match(trailer).Groups["offset"].Value;
        string key = Convert.ToHexString(Enumerable.Range(0, 32).Select(i => (byte)((i * 7) + 1)).ToArray());
        string encrypt = $"{size} 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <{key}> /U <{key}> /P -4 >>\nendobj\n";
        long xref = pdf.Length + encrypt.Length;
        string update = encrypt +
            $"xref\n0 1\n0000000000 65535 f \n{size} 1\n{pdf.Length.ToString("D10", CultureInfo.InvariantCulture)} 00000 n \n" +
            $"trailer\n<< /Size {size + 1} /Root {entries.Groups["root"].Value} /ID [{entries.Groups["id"].Value}] /Encrypt {size} 0 R /Prev {previous} >>\n" +
            $"startxref\n{xref}\n%%EOF\n";
        return [.. pdf, .. Encoding.Latin1.GetBytes(update)];
    }

    private static double AddParagraph(PdfPageBuilder page, PdfDocumentBuilder.AddedFont font, string paragraph, double x, double y, int lineWidth)
    {
        foreach (string line in Wrap(paragraph, lineWidth))
        {
            page.AddText(line, FontSize, new PdfPoint(x, y), font);
            y -= LineHeight;
        }

        return y - ParagraphGap + LineHeight;
    }

    private static IEnumerable<string> Wrap(string paragraph, int width)
    {
        var line = new StringBuilder();
        foreach (string word in paragraph.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    [GeneratedRegex(@"/Size (?<size>\d+).*?/Root (?<root>\d+ \d+ R).*?/ID \[(?<id>[^\]]*)\]", RegexOptions.Singleline)]
    private static partial Regex TrailerEntries();

    [GeneratedRegex(@"startxref\s+(?<offset>\d+)")]
    private static partial Regex StartXref();
}
