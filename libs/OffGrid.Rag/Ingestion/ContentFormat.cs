namespace OffGrid.Rag.Ingestion;

/// <summary>The formats a knowledge base can read.</summary>
public enum ContentFormat
{
    /// <summary>Plain text (UTF-8, UTF-16/32 with a byte order mark, or Latin-1 as a fallback).</summary>
    PlainText,

    /// <summary>Markdown (CommonMark with pipe tables); headings become the chunks' heading paths.</summary>
    Markdown,

    /// <summary>HTML; readable text, headings and links are kept, scripts, styles and navigation dropped.</summary>
    Html,

    /// <summary>PDF, read in process (PdfPig) page by page in reading order; chunks carry their page number.</summary>
    Pdf,

    /// <summary>Word documents (Office Open XML).</summary>
    Docx,
}
