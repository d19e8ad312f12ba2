namespace OffGrid.Rag.Chunking;

/// <summary>The kind of document the automatic chunk tuning recognised, which decides chunk size and overlap.</summary>
public enum ChunkingProfile
{
    /// <summary>Ordinary structured text: medium chunks with a small overlap.</summary>
    General,

    /// <summary>Many short sections (questions and answers, glossaries): small chunks, one section each, no overlap.</summary>
    ShortSections,

    /// <summary>Long prose with little structure: large chunks with a generous overlap so that ideas are not cut apart.</summary>
    LongProse,

    /// <summary>Mostly source code: large chunks so that code blocks stay whole, with a small overlap.</summary>
    Code,

    /// <summary>Size and overlap were both given by the caller.</summary>
    Custom,
}
