using System.Globalization;

namespace OffGrid.Rag.Ingestion;

/// <summary>
/// Reads PDF with the poppler command-line tools: <c>pdfinfo</c> for the title and page count, <c>pdftotext -layout</c> for the
/// text (pages are separated by form feeds, which gives each block its page number) and <c>pdfimages -list</c> for the image count.
/// </summary>
internal sealed class PdfReader(string? popplerDirectory, TimeSpan toolTimeout) : IDocumentReader
{
    public ContentFormat Format => ContentFormat.Pdf;

    public async Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken)
    {
        string pdftotext = RequireTool("pdftotext");
        string pdfinfo = RequireTool("pdfinfo");
        string? pdfimages = ExternalTool.Find("pdfimages", popplerDirectory);

        // The tools read files, so in-memory content goes through a private temporary file.
        string file = Path.Combine(Path.GetTempPath(), $"offgrid-rag-{Guid.NewGuid():N}.pdf");
        try
        {
            await File.WriteAllBytesAsync(file, content, cancellationToken).ConfigureAwait(false);
            (int infoExit, string info, string infoError) = await ExternalTool.RunAsync(pdfinfo, ["-enc", "UTF-8", file], toolTimeout, cancellationToken).ConfigureAwait(false);
            if (infoExit != 0)
            {
                throw new DocumentReadException($"Not a readable PDF (pdfinfo: {FirstLine(infoError)}).");
            }

            (int textExit, string text, string textError) = await ExternalTool.RunAsync(pdftotext, ["-layout", "-enc", "UTF-8", file, "-"], toolTimeout, cancellationToken).ConfigureAwait(false);
            if (textExit != 0)
            {
                throw new DocumentReadException($"pdftotext failed: {FirstLine(textError)}.");
            }

            var builder = new ParsedDocumentBuilder(Format);
            string[] pages = text.Split('\f');
            for (int page = 0; page < pages.Length; page++)
            {
                builder.AddParagraphs(pages[page], page + 1);
            }

            string? title = InfoField(info, "Title");
            builder.Title = string.IsNullOrWhiteSpace(title) ? null : title;
            if (int.TryParse(InfoField(info, "Pages"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pageCount))
            {
                builder.SetMetadata("pages", pageCount);
            }

            if (pdfimages is not null)
            {
                (int imagesExit, string images, _) = await ExternalTool.RunAsync(pdfimages, ["-list", file], toolTimeout, cancellationToken).ConfigureAwait(false);
                if (imagesExit == 0)
                {
                    // The listing starts with a header line and a dashed rule; every further line is one image.
                    builder.SetMetadata("images", Math.Max(0, images.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 2));
                }
            }

            return builder.Build();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private string RequireTool(string name) =>
        ExternalTool.Find(name, popplerDirectory) ?? throw new DocumentReadException(
            $"PDF support needs the poppler tools, but '{name}' was not found {(popplerDirectory is null ? "on PATH" : "in " + popplerDirectory)}. " +
            "Install poppler-utils (Debian/Ubuntu: apt-get install poppler-utils) or set RagOptions.PopplerDirectory.");

    private static string? InfoField(string info, string name)
    {
        foreach (string line in info.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        return null;
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no details";
}
