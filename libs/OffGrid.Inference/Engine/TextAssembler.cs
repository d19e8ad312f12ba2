using System.Text;

namespace OffGrid.Inference.Engine;

/// <summary>
/// Turns token bytes into text for one sequence: decodes UTF-8 across token boundaries and finds stop
/// sequences, holding back only text that could still become one.
/// </summary>
internal sealed class TextAssembler
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly IReadOnlyList<string> _stopSequences;
    private readonly StringBuilder _pending = new();
    private char[] _chars = new char[64];

    public TextAssembler(IReadOnlyList<string> stopSequences)
    {
        _stopSequences = stopSequences.Where(s => s.Length > 0).ToArray();
    }

    /// <summary>Adds the bytes of one token; returns the text that is now safe to emit and whether a stop sequence matched.</summary>
    public (string Text, bool Stopped) Append(ReadOnlySpan<byte> bytes)
    {
        int needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        int count = _decoder.GetChars(bytes, _chars, flush: false);
        _pending.Append(_chars, 0, count);
        if (_stopSequences.Count == 0)
        {
            return (Drain(_pending.Length), false);
        }

        string pending = _pending.ToString();
        int stopAt = -1;
        foreach (string stop in _stopSequences)
        {
            int index = pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            _pending.Clear();
            return (pending[..stopAt], true);
        }

        return (Drain(pending.Length - HeldBack(pending)), false);
    }

    /// <summary>Returns everything still held back (the sequence ended without a stop match).</summary>
    public string Flush()
    {
        int count = _decoder.GetChars([], _chars, flush: true);
        _pending.Append(_chars, 0, count);
        return Drain(_pending.Length);
    }

    private int HeldBack(string pending)
    {
        int longest = 0;
        foreach (string stop in _stopSequences)
        {
            for (int length = Math.Min(stop.Length - 1, pending.Length); length > longest; length--)
            {
                if (pending.AsSpan(pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }

    private string Drain(int count)
    {
        if (count <= 0)
        {
            return string.Empty;
        }

        string text = _pending.ToString(0, count);
        _pending.Remove(0, count);
        return text;
    }
}
