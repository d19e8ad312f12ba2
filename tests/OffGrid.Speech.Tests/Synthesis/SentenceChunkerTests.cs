using OffGrid.Speech.Synthesis;

namespace OffGrid.Speech.Tests.Synthesis;

public sealed class SentenceChunkerTests
{
    private const string Text = "Dr. Smith arrived at 3.30 p.m. today! Did he bring the files, e.g. the reports? \"Yes.\" He did…\nNew line here\n\nThe end";

    private static readonly string[] s_sentences =
    [
        "Dr. Smith arrived at 3.30 p.m. today!",
        "Did he bring the files, e.g. the reports?",
        "\"Yes.\"",
        "He did…",
        "New line here",
        "The end",
    ];

    [Fact]
    public void SplitsAtSentenceEndsButNotAbbreviationsOrNumbers()
    {
        var chunker = new SentenceChunker();

        List<string> sentences = [.. chunker.Append(Text), chunker.Flush()!];

        Assert.Equal(s_sentences, sentences);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void AnyChunkingGivesTheSameSentences(int size)
    {
        var chunker = new SentenceChunker();
        var sentences = new List<string>();

        for (int i = 0; i < Text.Length; i += size)
        {
            sentences.AddRange(chunker.Append(Text.Substring(i, Math.Min(size, Text.Length - i))));
        }

        sentences.Add(chunker.Flush()!);
        Assert.Equal(s_sentences, sentences);
    }

    [Fact]
    public void ASentenceIsReleasedAsSoonAsTheNextCharacterArrives()
    {
        var chunker = new SentenceChunker();

        Assert.Empty(chunker.Append("Hello there."));
        Assert.Equal(["Hello there."], chunker.Append(" Next"));
        Assert.Equal("Next", chunker.Flush());
        Assert.Null(chunker.Flush());
    }
}
