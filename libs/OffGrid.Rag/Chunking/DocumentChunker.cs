using System.Text.RegularExpressions;
using OffGrid.Rag.Ingestion;

namespace OffGrid.Rag.Chunking;

/// <summary>
/// Cuts a parsed document into chunks that are exact ranges of its text. Each heading starts a new section; blocks (paragraphs,
/// lists, code, tables) are packed whole while they fit; a block too large on its own is split at lines (code, lists, tables) or
/// sentences (prose), then words, then characters. Consecutive chunks of one section share an overlap that starts on a sentence or
/// word boundary. In paged documents each page starts a new chunk.
/// </summary>
/// <remarks>Stateless apart from the token counter; thread-safe when the counter is.</remarks>
internal sealed partial class DocumentChunker(TokenCounter counter)
{
    private const string HeadingSeparator = " > ";

    public IReadOnlyList<TextChunk> Chunk(ParsedDocument document, ChunkingPlan plan)
    {
        var chunks = new List<TextChunk>();
        var headings = new List<(int Level, string Text)>();
        var section = new List<Unit>();
        string headingPath = string.Empty;
        foreach (DocumentBlock block in document.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                Pack(document.Text, section, headingPath, plan, chunks);
                section.Clear();
                headings.RemoveAll(h => h.Level >= block.HeadingLevel);
                headings.Add((block.HeadingLevel, document.Text[block.Start..block.End]));
                headingPath = string.Join(HeadingSeparator, headings.Select(h => h.Text));
            }

            Split(document.Text, block.Start, block.End, block.Kind, Level.Structure, block.Page, plan.MaxTokens, section);
        }

        Pack(document.Text, section, headingPath, plan, chunks);
        return chunks;
    }

    private void Pack(string text, List<Unit> units, string headingPath, ChunkingPlan plan, List<TextChunk> chunks)
    {
        bool open = false;
        int start = 0, end = 0, tokens = 0;
        int? page = null;
        foreach (Unit unit in units)
        {
            if (open && unit.Page != page && unit.Page is not null)
            {
                // A chunk never spans pages, so the page in its citation is exact.
                chunks.Add(Emit(text, start, end, headingPath, page));
                open = false;
            }
            else if (open && tokens + unit.Tokens > plan.MaxTokens)
            {
                chunks.Add(Emit(text, start, end, headingPath, page));
                int budget = Math.Min(plan.OverlapTokens, plan.MaxTokens - unit.Tokens);
                int overlapStart = budget > 0 ? OverlapStart(text, start, end, budget) : end;
                open = overlapStart < end;
                if (open)
                {
                    start = overlapStart;
                    tokens = counter.Count(text[start..end]);
                    page = units.Last(u => u.Start <= start).Page;
                }
            }

            if (!open)
            {
                (start, tokens, page, open) = (unit.Start, 0, unit.Page, true);
            }

            tokens += unit.Tokens;
            end = unit.End;
        }

        if (open)
        {
            chunks.Add(Emit(text, start, end, headingPath, page));
        }
    }

    private TextChunk Emit(string text, int start, int end, string headingPath, int? page)
    {
        string chunkText = text[start..end];
        return new TextChunk(start, end, chunkText, headingPath, page, counter.Count(chunkText));
    }

    /// <summary>Finds where the overlap copied from the end of a chunk begins: the earliest sentence (else word) start whose tail fits the budget.</summary>
    private int OverlapStart(string text, int start, int end, int budget)
    {
        int from = Math.Max(start, end - (budget * TokenCounter.EstimatedCharactersPerToken));
        int[] candidates = [.. Boundaries(text, from, end, Level.Sentence), .. Boundaries(text, from, end, Level.Word)];
        foreach (int candidate in candidates)
        {
            if (candidate > start && counter.Count(text[candidate..end]) <= budget)
            {
                return candidate;
            }
        }

        return end;
    }

    /// <summary>Adds the units of the range [<paramref name="start"/>, <paramref name="end"/>): the whole range when it fits, else pieces cut at the given level and finer.</summary>
    private void Split(string text, int start, int end, BlockKind kind, Level level, int? page, int maxTokens, List<Unit> units)
    {
        (start, end) = Trim(text, start, end);
        if (start >= end)
        {
            return;
        }

        int tokens = counter.Count(text[start..end]);
        if (tokens <= maxTokens)
        {
            units.Add(new Unit(start, end, tokens, page));
            return;
        }

        if (level == Level.Character)
        {
            int step = Math.Max(1, (int)((long)(end - start) * maxTokens / tokens));
            for (int s = start; s < end; s += step)
            {
                int e = Math.Min(end, s + step);
                units.Add(new Unit(s, e, counter.Count(text[s..e]), page));
            }

            return;
        }

        Level cutLevel = level == Level.Structure ? (kind is BlockKind.Paragraph or BlockKind.Heading ? Level.Sentence : Level.Line) : level;
        Level finer = cutLevel == Level.Word ? Level.Character : Level.Word;
        List<int> cuts = [.. Boundaries(text, start, end, cutLevel), end];
        int pieceStart = start, pieceTokens = 0, segmentStart = start;
        foreach (int cut in cuts)
        {
            int segmentTokens = counter.Count(text[segmentStart..cut]);
            if (pieceTokens > 0 && pieceTokens + segmentTokens > maxTokens)
            {
                Split(text, pieceStart, segmentStart, kind, finer, page, maxTokens, units);
                (pieceStart, pieceTokens) = (segmentStart, 0);
            }

            if (segmentTokens > maxTokens)
            {
                Split(text, segmentStart, cut, kind, finer, page, maxTokens, units);
                (pieceStart, pieceTokens) = (cut, 0);
            }
            else
            {
                pieceTokens += segmentTokens;
            }

            segmentStart = cut;
        }

        if (pieceStart < end)
        {
            Split(text, pieceStart, end, kind, finer, page, maxTokens, units);
        }
    }

    private static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    /// <summary>Positions strictly inside the range where a piece of the given level starts.</summary>
    private static List<int> Boundaries(string text, int start, int end, Level level)
    {
        var positions = new List<int>();
        Regex separator = level switch
        {
            Level.Line => LineBreak(),
            Level.Sentence => SentenceEnd(),
            _ => Whitespace(),
        };
        foreach (ValueMatch match in separator.EnumerateMatches(text.AsSpan(start, end - start)))
        {
            int position = start + match.Index + match.Length;
            if (position > start && position < end)
            {
                positions.Add(position);
            }
        }

        return positions;
    }

    [GeneratedRegex(@"\n")]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"(?<=[.!?…。])\s+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private enum Level
    {
        Structure,
        Line,
        Sentence,
        Word,
        Character,
    }

    private readonly record struct Unit(int Start, int End, int Tokens, int? Page);
}
