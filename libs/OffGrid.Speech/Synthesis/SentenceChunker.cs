using System.Text;

namespace OffGrid.Speech.Synthesis;

/// <summary>
/// Cuts streamed text into sentences as soon as each one is complete, so that speech can start before the text ends.
/// </summary>
/// <remarks>
/// <para>Rule: a sentence ends at <c>. ! ? … 。 ！ ？</c> (with any closing quotes or brackets after it) followed by
/// whitespace, or at a line break; a period after an initial, a dotted abbreviation (<c>e.g.</c>, <c>p.m.</c>) or a
/// common title (<c>Mr.</c>, <c>Dr.</c>) does not end one. Whitespace between sentences is dropped, empty sentences are skipped.</para>
/// <para>The result does not depend on how the text is chunked: feeding it in one piece or a character at a time
/// yields the same sentences, because a terminator is only acted on once the character after it has arrived
/// (or at <see cref="Flush"/>).</para>
/// <para>Not thread-safe: one instance per stream.</para>
/// </remarks>
public sealed class SentenceChunker
{
    private static readonly string[] s_abbreviations = ["mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "no", "fig", "jr", "sr"];
    private readonly StringBuilder _pending = new();

    /// <summary>Adds text and returns the sentences it completes.</summary>
    /// <param name="text">The next piece of the stream.</param>
    /// <returns>The complete sentences, trimmed, in order (often none).</returns>
    public IReadOnlyList<string> Append(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _pending.Append(text);
        var sentences = new List<string>();
        int start = 0;
        for (int i = 0; i < _pending.Length - 1; i++)
        {
            char c = _pending[i];
            if (c == '\n' || (IsTerminator(c) && EndsSentence(i)))
            {
                int end = i;
                while (c != '\n' && end + 1 < _pending.Length && IsCloser(_pending[end + 1]))
                {
                    end++;
                }

                if (end + 1 >= _pending.Length || (c != '\n' && !char.IsWhiteSpace(_pending[end + 1])))
                {
                    continue;
                }

                Add(sentences, _pending.ToString(start, end + 1 - start));
                start = end + 1;
                i = end;
            }
        }

        _pending.Remove(0, start);
        return sentences;
    }

    /// <summary>Returns what is left at the end of the stream as a last sentence, and resets the chunker.</summary>
    /// <returns>The last sentence, or <see langword="null"/> when nothing but whitespace is left.</returns>
    public string? Flush()
    {
        string rest = _pending.ToString().Trim();
        _pending.Clear();
        return rest.Length == 0 ? null : rest;
    }

    private static void Add(List<string> sentences, string sentence)
    {
        string trimmed = sentence.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…' or '。' or '！' or '？';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’' or '»' or '」' || IsTerminator(c);

    /// <summary>A terminator ends a sentence unless it is the period of an abbreviation or an initial.</summary>
    private bool EndsSentence(int index)
    {
        if (_pending[index] != '.')
        {
            return true;
        }

        int wordStart = index;
        while (wordStart > 0 && (char.IsLetter(_pending[wordStart - 1]) || _pending[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        string word = _pending.ToString(wordStart, index - wordStart).ToLowerInvariant();
        return !(word.Length == 1 && char.IsLetter(word[0])) && !word.Contains('.', StringComparison.Ordinal) && !s_abbreviations.Contains(word);
    }
}
