using System.Globalization;
using System.Text;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>
/// Writes small but valid PDF files (Helvetica text, optional tiny RGB image on the first page) so that tests can run the real
/// poppler tools on them. Each page is a list of paragraphs; paragraphs are set apart by a wide vertical gap.
/// </summary>
internal static class MinimalPdfWriter
{
    public static byte[] Write(string title, IReadOnlyList<IReadOnlyList<string>> pages, bool withImage)
    {
        var objects = new List<byte[]>();
        void Add(string body) => AddBytes(Encoding.Latin1.GetBytes(body));
        void AddBytes(byte[] body) => objects.Add(body);

        // Object numbers are fixed up front: 1 catalog, 2 page tree, 3 font, 4 image, 5 info, then page/content pairs.
        Add("<< /Type /Catalog /Pages 2 0 R >>");
        string kids = string.Join(' ', pages.Select((_, i) => $"{6 + (2 * i)} 0 R"));
        Add($"<< /Type /Pages /Kids [{kids}] /Count {pages.Count} >>");
        Add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        byte[] pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        AddBytes([.. Encoding.Latin1.GetBytes($"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {pixels.Length} >>\nstream\n"), .. pixels, .. "\nendstream"u8]);
        Add($"<< /Title ({Escape(title)}) >>");
        for (int page = 0; page < pages.Count; page++)
        {
            bool image = withImage && page == 0;
            string resources = "<< /Font << /F1 3 0 R >>" + (image ? " /XObject << /Im1 4 0 R >>" : string.Empty) + " >>";
            Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} /Contents {7 + (2 * page)} 0 R >>");
            string content = Content(pages[page], image);
            Add($"<< /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream");
        }

        using var pdf = new MemoryStream();
        void Write(string text) => pdf.Write(Encoding.Latin1.GetBytes(text));
        Write("%PDF-1.4\n");
        var offsets = new List<long>();
        for (int i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Write($"{i + 1} 0 obj\n");
            pdf.Write(objects[i]);
            Write("\nendobj\n");
        }

        long xref = pdf.Position;
        Write($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (long offset in offsets)
        {
            Write(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        }

        Write($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    private static string Content(IReadOnlyList<string> paragraphs, bool image)
    {
        var content = new StringBuilder();
        if (image)
        {
            content.Append("q 40 0 0 40 500 700 cm /Im1 Do Q\n");
        }

        content.Append("BT /F1 12 Tf 72 740 Td\n");
        foreach (string paragraph in paragraphs)
        {
            content.Append('(').Append(Escape(paragraph)).Append(") Tj 0 -40 Td\n");
        }

        return content.Append("ET").ToString();
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal);
}
