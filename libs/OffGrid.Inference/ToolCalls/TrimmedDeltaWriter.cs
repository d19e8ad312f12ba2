namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Passes text deltas on, dropping leading whitespace and holding back trailing whitespace until more text
/// follows, so that streamed deltas add up to the trimmed text a one-shot parse returns.
/// </summary>
internal sealed class TrimmedDeltaWriter
{
    private string _pendingWhitespace = string.Empty;

    /// <summary>Whether any non-whitespace text has been passed on.</summary>
    public bool HasWritten { get; private set; }

    /// <summary>Returns the part of <paramref name="text"/> (plus held-back whitespace) that can be passed on now.</summary>
    public string Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int last = text.Length - 1;
        while (last >= 0 && char.IsWhiteSpace(text[last]))
        {
            last--;
        }

        if (last < 0)
        {
            if (HasWritten)
            {
                _pendingWhitespace += text;
            }

            return string.Empty;
        }

        string body = text[..(last + 1)];
        string result = HasWritten ? _pendingWhitespace + body : body.TrimStart();
        _pendingWhitespace = text[(last + 1)..];
        HasWritten = true;
        return result;
    }
}
