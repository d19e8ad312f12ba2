namespace OffGrid.Rag.Ingestion;

/// <summary>The structural role of a block of extracted text; the chunker keeps blocks whole and splits each kind at its own boundaries.</summary>
internal enum BlockKind
{
    Heading,
    Paragraph,
    List,
    Code,
    Table,
}
