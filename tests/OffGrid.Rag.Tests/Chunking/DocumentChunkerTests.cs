using System.Text;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Ingestion;

namespace OffGrid.Rag.Tests.Chunking;

public sealed class DocumentChunkerTests
{
    private static readonly TokenCounter s_estimate = TokenCounter.Estimate;

    private static async Task<ParsedDocument> Markdown(string markdown) =>
        await new MarkdownReader().ReadAsync(Encoding.UTF8.GetBytes(markdown), null, TestContext.Current.CancellationToken);

    private static string Prose(int sentences, string word = "river") =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(i => $"Sentence {i} talks about the {word} and its banks at length."));

    [Fact]
    public async Task ChunksAreExactRangesOfTheTextWithinTheTokenLimitAndCarryHeadingPaths()
    {
        ParsedDocument document = await Markdown($"# Rivers\n\n{Prose(40)}\n\n## Deltas\n\n{Prose(10, "delta")}\n\n# Lakes\n\nShort lake note.");
        var plan = new ChunkingPlan(ChunkingProfile.Custom, 100, 20);

        IReadOnlyList<TextChunk> chunks = new DocumentChunker(s_estimate).Chunk(document, plan);

        Assert.All(chunks, c => Assert.Equal(document.Text[c.Start..c.End], c.Text));
        Assert.All(chunks, c => Assert.True(c.TokenCount <= plan.MaxTokens, $"{c.TokenCount} tokens"));
        Assert.Equal("Rivers", chunks[0].HeadingPath);
        Assert.StartsWith("Rivers", chunks[0].Text, StringComparison.Ordinal);
        Assert.Contains(chunks, c => c.HeadingPath == "Rivers > Deltas" && c.Text.Contains("delta", StringComparison.Ordinal));
        Assert.Equal("Lakes", chunks[^1].HeadingPath);
        Assert.Equal("Lakes\n\nShort lake note.", chunks[^1].Text);
        Assert.DoesNotContain(chunks, c => c.Text.Contains("delta", StringComparison.Ordinal) && c.Text.Contains("Lakes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConsecutiveChunksOfASectionOverlapOnSentenceOrWordBoundaries()
    {
        ParsedDocument document = await Markdown(Prose(60));

        IReadOnlyList<TextChunk> chunks = new DocumentChunker(s_estimate).Chunk(document, new ChunkingPlan(ChunkingProfile.Custom, 80, 20));

        Assert.True(chunks.Count > 3);
        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start < chunks[i - 1].End, "chunks must overlap");
            Assert.True(chunks[i - 1].End - chunks[i].Start <= 20 * TokenCounter.EstimatedCharactersPerToken);
            Assert.True(char.IsWhiteSpace(document.Text[chunks[i].Start - 1]), "overlap starts after whitespace");
        }

        Assert.Equal(document.Text.Length, chunks[^1].End);
    }

    [Fact]
    public async Task CodeBlocksListsAndTablesStayWholeWhenTheyFit()
    {
        string code = "```python\n" + string.Join('\n', Enumerable.Range(0, 12).Select(i => $"print('line {i}')")) + "\n```";
        string table = "| k | v |\n|---|---|\n" + string.Join('\n', Enumerable.Range(0, 6).Select(i => $"| key{i} | value{i} |"));
        ParsedDocument document = await Markdown($"{Prose(8)}\n\n{code}\n\n{Prose(8)}\n\n{table}\n\n{Prose(8)}");

        IReadOnlyList<TextChunk> chunks = new DocumentChunker(s_estimate).Chunk(document, new ChunkingPlan(ChunkingProfile.Custom, 120, 0));

        Assert.Single(chunks, c => c.Text.Contains(code, StringComparison.Ordinal));
        Assert.Single(chunks, c => c.Text.Contains(table, StringComparison.Ordinal));
        Assert.DoesNotContain(chunks, c => c.Text.Contains("line 0", StringComparison.Ordinal) != c.Text.Contains("line 11", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OversizedCodeSplitsAtLinesAndOversizedWordsSplitAtCharacters()
    {
        string code = "```\n" + string.Join('\n', Enumerable.Range(0, 50).Select(i => $"let value{i} = compute({i});")) + "\n```";
        ParsedDocument document = await Markdown(code + "\n\n" + new string('x', 1000));

        IReadOnlyList<TextChunk> chunks = new DocumentChunker(s_estimate).Chunk(document, new ChunkingPlan(ChunkingProfile.Custom, 50, 0));

        Assert.All(chunks, c => Assert.True(c.TokenCount <= 50));
        Assert.All(chunks.Where(c => c.Text.Contains("let", StringComparison.Ordinal)), c => Assert.DoesNotContain(c.Text.Split('\n'), line => line.StartsWith("let", StringComparison.Ordinal) && !line.EndsWith(';')));
        Assert.Equal(1000, chunks.Where(c => c.Text.StartsWith('x')).Sum(c => c.Text.Length));
    }

    [Fact]
    public async Task ThePluggedTokenCounterDecidesTheSizes()
    {
        ParsedDocument document = await Markdown(Prose(30));
        var words = TokenCounter.FromFunction(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

        IReadOnlyList<TextChunk> chunks = new DocumentChunker(words).Chunk(document, new ChunkingPlan(ChunkingProfile.Custom, 25, 0));

        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 25));
        Assert.Equal(30 * 11, chunks.Sum(c => c.TokenCount));
    }

    [Fact]
    public async Task AutomaticTuningRecognisesShortSectionsLongProseAndCode()
    {
        string faq = string.Join("\n\n", Enumerable.Range(0, 8).Select(i => $"## Question {i}?\n\nShort answer {i}."));
        string code = "Intro.\n\n```\n" + string.Join('\n', Enumerable.Range(0, 80).Select(i => $"x{i} = {i}")) + "\n```";
        string prose = string.Join("\n\n", Enumerable.Range(0, 40).Select(i => Prose(6)));

        Assert.Equal(ChunkingProfile.ShortSections, ChunkingPlanner.Plan(await Markdown(faq), s_estimate, null).Profile);
        Assert.Equal(ChunkingProfile.Code, ChunkingPlanner.Plan(await Markdown(code), s_estimate, null).Profile);
        Assert.Equal(ChunkingProfile.LongProse, ChunkingPlanner.Plan(await Markdown(prose), s_estimate, null).Profile);
        Assert.Equal(ChunkingProfile.General, ChunkingPlanner.Plan(await Markdown("# A\n\n" + Prose(20)), s_estimate, null).Profile);

        ChunkingPlan overridden = ChunkingPlanner.Plan(await Markdown(prose), s_estimate, new ChunkingOptions { MaxTokens = 100 });
        Assert.Equal((ChunkingProfile.LongProse, 100, 25), (overridden.Profile, overridden.MaxTokens, overridden.OverlapTokens));

        ChunkingPlan faqPlan = ChunkingPlanner.Plan(await Markdown(faq), s_estimate, null);
        IReadOnlyList<TextChunk> faqChunks = new DocumentChunker(s_estimate).Chunk(await Markdown(faq), faqPlan);
        Assert.Equal(8, faqChunks.Count);
        Assert.All(faqChunks, c => Assert.Matches(@"^Question \d\?\n\nShort answer \d\.$", c.Text));
    }
}
