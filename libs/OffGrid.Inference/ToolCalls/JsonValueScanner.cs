namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Finds where a JSON object or array ends in partial model output, without parsing it: enough to know when
/// a streamed tool call is complete. Validity is checked afterwards by a real JSON parser.
/// </summary>
internal static class JsonValueScanner
{
    /// <summary>The value needs more input.</summary>
    public const int Incomplete = -1;

    /// <summary>No object or array starts here.</summary>
    public const int NotJson = -2;

    /// <summary>
    /// Skips whitespace from <paramref name="start"/>, then returns the index just after the object or array found
    /// there, <see cref="Incomplete"/>, or <see cref="NotJson"/>.
    /// </summary>
    public static int FindEnd(string text, int start)
    {
        ArgumentNullException.ThrowIfNull(text);
        int i = SkipWhitespace(text, start);
        if (i == text.Length)
        {
            return Incomplete;
        }

        if (text[i] is not ('{' or '['))
        {
            return NotJson;
        }

        int depth = 0;
        bool inString = false;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }
        }

        return Incomplete;
    }

    /// <summary>
    /// The items of the array that starts at <paramref name="start"/> (after whitespace) which are complete objects or arrays,
    /// up to the first one the text cuts off: what survives of a list of calls that ran into the token limit.
    /// </summary>
    /// <returns>The items' text, in order; empty when no array starts there.</returns>
    public static IReadOnlyList<string> CompleteItems(string text, int start)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<string>();
        int i = SkipWhitespace(text, start);
        if (i == text.Length || text[i] != '[')
        {
            return items;
        }

        while (FindEnd(text, i + 1) is int end and >= 0)
        {
            items.Add(text[(i + 1)..end]);
            i = SkipWhitespace(text, end);
            if (i == text.Length || text[i] != ',')
            {
                break;
            }
        }

        return items;
    }

    private static int SkipWhitespace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }
}
