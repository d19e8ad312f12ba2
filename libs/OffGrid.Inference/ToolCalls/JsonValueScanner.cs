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
        int i = start;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

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
    /// The complete objects and arrays at the start of an array whose <c>[</c> is at <paramref name="openBracket"/>,
    /// when the array itself may be cut off: the items before the cut, as (start, end) index pairs.
    /// </summary>
    public static List<(int Start, int End)> CompleteItems(string text, int openBracket)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<(int Start, int End)>();
        int i = openBracket + 1;
        while (true)
        {
            int end = FindEnd(text, i);
            if (end < 0)
            {
                return items;
            }

            items.Add((text.IndexOfAny(['{', '['], i), end));
            i = end;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != ',')
            {
                return items;
            }

            i++;
        }
    }
}
