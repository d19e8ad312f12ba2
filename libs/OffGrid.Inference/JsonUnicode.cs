namespace OffGrid.Inference;

/// <summary>
/// Finds <c>\uD800</c>-style escapes in JSON text that stand for half of a UTF-16 surrogate pair without the other
/// half. JSON's grammar allows them (RFC 8259 §8.2 calls the result unpredictable), but they are not Unicode text:
/// System.Text.Json reads such a string only by throwing, wherever and whenever it is first read. Checking the text
/// once, where it enters, turns that into one clear refusal.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class JsonUnicode
{
    /// <summary>The byte offset of the first lone surrogate escape in <paramref name="utf8Json"/>, or -1 when there is none.</summary>
    /// <param name="utf8Json">JSON text as UTF-8 (already known to be JSON or not: only <c>\u</c> escapes are looked at).</param>
    public static int IndexOfLoneSurrogateEscape(ReadOnlySpan<byte> utf8Json)
    {
        for (int i = utf8Json.IndexOf((byte)'\\'); i >= 0 && i < utf8Json.Length - 1; i++)
        {
            if (utf8Json[i] != '\\')
            {
                continue;
            }

            // Any escape is two bytes at least; skipping the second keeps "\\u" (an escaped backslash) from looking like "\u".
            if (utf8Json[i + 1] != 'u' || ReadUnit(utf8Json, i) is not { } unit)
            {
                i++;
                continue;
            }

            if (char.IsLowSurrogate(unit))
            {
                return i;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (ReadUnit(utf8Json, i + 6) is not { } next || !char.IsLowSurrogate(next))
                {
                    return i;
                }

                i += 6;
            }

            i += 5;
        }

        return -1;
    }

    /// <summary>The character index of the first lone surrogate escape in <paramref name="json"/>, or -1 when there is none.</summary>
    /// <param name="json">JSON text.</param>
    public static int IndexOfLoneSurrogateEscape(string json)
    {
        ArgumentNullException.ThrowIfNull(json);

        // Escapes are ASCII, so only the position needs translating back from UTF-8.
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(json);
        int index = IndexOfLoneSurrogateEscape(utf8);
        return index < 0 ? -1 : System.Text.Encoding.UTF8.GetCharCount(utf8, 0, index);
    }

    // The UTF-16 unit of the "\uXXXX" escape at 'start', or null when there is none there.
    private static char? ReadUnit(ReadOnlySpan<byte> text, int start)
    {
        if (start + 6 > text.Length || text[start] != '\\' || text[start + 1] != 'u')
        {
            return null;
        }

        int value = 0;
        for (int k = start + 2; k < start + 6; k++)
        {
            int digit = text[k] switch
            {
                >= (byte)'0' and <= (byte)'9' => text[k] - '0',
                >= (byte)'a' and <= (byte)'f' => text[k] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => text[k] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return null;
            }

            value = (value * 16) + digit;
        }

        return (char)value;
    }
}
