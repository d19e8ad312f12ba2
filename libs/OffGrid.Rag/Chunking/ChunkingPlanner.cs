using OffGrid.Rag.Ingestion;

namespace OffGrid.Rag.Chunking;

/// <summary>
/// Picks chunk size and overlap from a document's type and structure: many short sections (FAQ) get small chunks without overlap so
/// each answer stays alone, code gets large chunks so blocks stay whole, long unstructured prose gets large chunks with more overlap.
/// Caller overrides win.
/// </summary>
internal static class ChunkingPlanner
{
    public static ChunkingPlan Plan(ParsedDocument document, TokenCounter counter, ChunkingOptions? overrides)
    {
        if (overrides is { MaxTokens: int max, OverlapTokens: int overlap })
        {
            return new ChunkingPlan(ChunkingProfile.Custom, max, overlap);
        }

        ChunkingPlan automatic = Automatic(document, counter);
        int maxTokens = overrides?.MaxTokens ?? automatic.MaxTokens;
        int overlapTokens = overrides?.OverlapTokens ?? Math.Min(automatic.OverlapTokens, maxTokens / 4);
        return automatic with { MaxTokens = maxTokens, OverlapTokens = overlapTokens };
    }

    private static ChunkingPlan Automatic(ParsedDocument document, TokenCounter counter)
    {
        int total = 0, code = 0, headings = 0;
        foreach (DocumentBlock block in document.Blocks)
        {
            int tokens = counter.Count(document.Text[block.Start..block.End]);
            total += tokens;
            if (block.Kind == BlockKind.Code)
            {
                code += tokens;
            }
            else if (block.Kind == BlockKind.Heading)
            {
                headings++;
            }
        }

        int sections = Math.Max(1, headings);
        if (total > 0 && code * 10 >= total * 4)
        {
            return new ChunkingPlan(ChunkingProfile.Code, 512, 32);
        }

        if (headings >= 4 && total / sections <= 150)
        {
            return new ChunkingPlan(ChunkingProfile.ShortSections, 256, 0);
        }

        // Fewer than one heading per thousand tokens: a long flowing text.
        if (total >= 3000 && headings * 1000 < total)
        {
            return new ChunkingPlan(ChunkingProfile.LongProse, 512, 64);
        }

        return new ChunkingPlan(ChunkingProfile.General, 384, 48);
    }
}
