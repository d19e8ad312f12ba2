using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>
/// The mixed folder of the end-to-end knowledge tests (server and CLI): a two-page PDF whose answer is on page 2, a DOCX,
/// Markdown, and an HTML page to serve from a loopback URL. Each answer sits behind words no other document uses, so the
/// right file (and page) is checkable.
/// </summary>
internal static class KnowledgeCorpus
{
    public const string HtmlPage =
        "<html><head><title>Night trains</title></head><body><h1>Timetable</h1><p>The night train to Bergen leaves the station at 23:05.</p></body></html>";

    /// <summary>The questions, each with the document (file name, or <c>null</c> for the HTML page) and page that answer it.</summary>
    public static readonly (string Question, string? File, int? Page)[] Questions =
    [
        ("How do I reset the pump?", "guide.pdf", 2),
        ("How many vacation days carry over?", "policy.docx", null),
        ("When do the tomatoes need watering?", "notes.md", null),
        ("When does the night train to Bergen leave?", null, null),
    ];

    /// <summary>Writes guide.pdf, policy.docx and notes.md into <paramref name="directory"/>.</summary>
    public static void WriteFolder(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "guide.pdf"), TestPdf.Write(
            "Pump manual",
            [["Welcome to the manual. Read the safety notes before you start."], ["To reset the pump, hold the blue button for ten seconds."]],
            withImage: false));
        File.WriteAllBytes(Path.Combine(directory, "policy.docx"), Docx("Leave policy", "Employees may carry over twelve vacation days into the next year."));
        File.WriteAllText(Path.Combine(directory, "notes.md"), "# Garden\n\nThe tomatoes need watering every morning before work.\n", Encoding.UTF8);
    }

    private static byte[] Docx(string heading, string text)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            MainDocumentPart main = document.AddMainDocumentPart();
            var title = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Heading1" }), new Run(new Text(heading)));
            main.Document = new Document(new Body(title, new Paragraph(new Run(new Text(text)))));
            main.Document.Save();
        }

        return stream.ToArray();
    }
}
