using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Splits streamed model output into answer text, reasoning and tool calls as it arrives. Text is passed on as
/// soon as it cannot be the start of a marker; a tool-call block is held until it is complete and then comes out
/// as whole <see cref="FunctionCallContent"/>s, or as text if it turns out malformed. Leading <c>&lt;think&gt;</c>
/// (or <c>[THINK]</c>) blocks come out as <see cref="TextReasoningContent"/>.
/// </summary>
/// <remarks>
/// Feeding the same output in any chunking gives the same result as <see cref="ToolCallParser.Parse"/>.
/// Answer and reasoning text are trimmed: leading whitespace is dropped and trailing whitespace is only passed
/// on once more text follows. Not thread-safe: one instance per response.
/// </remarks>
internal sealed class StreamingToolCallParser
{
    private static readonly (string Open, string Close)[] s_reasoningTags =
    [
        (ToolCallMarkers.ThinkOpen, ToolCallMarkers.ThinkClose),
        (ToolCallMarkers.MistralThinkOpen, ToolCallMarkers.MistralThinkClose),
    ];

    private readonly IReadOnlyList<ToolCallSyntax> _syntaxes;
    private readonly TrimmedDeltaWriter _text = new();
    private readonly TrimmedDeltaWriter _reasoning = new();
    private string? _implicitMarker;
    private string _buffer = string.Empty;

    // How many characters at the start of the buffer were not written by the model (Functionary's implicit ">>>").
    private int _virtualPrefix;
    private ToolCallSyntax? _block;
    private string? _reasoningClose;
    private bool _reasoningSeen;
    private bool _callsSeen;
    private bool _completed;

    /// <summary>Creates a parser for one response.</summary>
    /// <param name="format">The tool-call convention of the model.</param>
    /// <param name="reasoningStartsOpen">
    /// True when the prompt already ends with <c>&lt;think&gt;</c>, so the output starts inside the reasoning
    /// and only <c>&lt;/think&gt;</c> appears.
    /// </param>
    public StreamingToolCallParser(ToolCallFormat format, bool reasoningStartsOpen = false)
    {
        _syntaxes = ToolCallSyntax.ForFormat(format);

        // Functionary's prompt ends with ">>>", so the first recipient comes without it.
        _implicitMarker = format == ToolCallFormat.FunctionaryV32 ? ToolCallMarkers.FunctionaryRecipient : null;
        if (reasoningStartsOpen)
        {
            _reasoningClose = ToolCallMarkers.ThinkClose;
            _reasoningSeen = true;
        }
    }

    /// <summary>Takes the next piece of output and returns what can be passed on now.</summary>
    public IReadOnlyList<AIContent> Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ObjectDisposedException.ThrowIf(_completed, this);
        _buffer += delta;
        var output = new List<AIContent>();
        Pump(endOfInput: false, output);
        return output;
    }

    /// <summary>Ends the output and returns everything still held back.</summary>
    /// <param name="closing">
    /// The end of the output that the engine wrote, not the model, to close it within the token budget (not passed to
    /// <see cref="Append"/>). It completes an unfinished tool call only when that call would be the first: after calls
    /// the model finished, the unfinished one is dropped rather than made up.
    /// </param>
    public IReadOnlyList<AIContent> Complete(string? closing = null)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var output = new List<AIContent>();
        if (!string.IsNullOrEmpty(closing))
        {
            var finished = new List<FunctionCallContent>();
            _block?.Salvage(_buffer, finished);
            if (_callsSeen || finished.Count > 0)
            {
                output.AddRange(finished);
                _completed = true;
                return output;
            }

            _buffer += closing;
        }

        Pump(endOfInput: true, output);
        _completed = true;
        return output;
    }

    private void Pump(bool endOfInput, List<AIContent> output)
    {
        if (_implicitMarker is not null && !AddImplicitMarker(endOfInput))
        {
            return;
        }

        while (true)
        {
            if (_reasoningClose is not null)
            {
                if (!PumpReasoning(endOfInput, output))
                {
                    return;
                }
            }
            else if (_block is not null)
            {
                if (!PumpBlock(endOfInput, output))
                {
                    return;
                }
            }
            else if (!PumpText(endOfInput, output))
            {
                return;
            }
        }
    }

    // Returns false while it cannot yet tell whether the model wrote the marker itself.
    private bool AddImplicitMarker(bool endOfInput)
    {
        string marker = _implicitMarker!;
        if (!endOfInput && _buffer.Length < marker.Length && marker.StartsWith(_buffer, StringComparison.Ordinal))
        {
            return false;
        }

        if (!_buffer.StartsWith(marker, StringComparison.Ordinal))
        {
            _buffer = marker + _buffer;
            _virtualPrefix = marker.Length;
        }

        _implicitMarker = null;
        return true;
    }

    private bool PumpReasoning(bool endOfInput, List<AIContent> output)
    {
        string close = _reasoningClose!;
        int index = _buffer.IndexOf(close, StringComparison.Ordinal);
        if (index >= 0)
        {
            Emit(_reasoning, index, output);
            Consume(close.Length);
            _reasoningClose = null;
            return true;
        }

        int keep = endOfInput ? 0 : PartialMarkerLength(close);
        Emit(_reasoning, _buffer.Length - keep, output);
        return false;
    }

    private bool PumpBlock(bool endOfInput, List<AIContent> output)
    {
        ToolCallSyntax syntax = _block!;
        int length = syntax.MeasureBlock(_buffer, endOfInput);
        if (length == ToolCallSyntax.NeedMoreInput)
        {
            return false;
        }

        _block = null;
        if (length == ToolCallSyntax.NotACall)
        {
            // Only the marker's first character is settled as text; the scan resumes right after it.
            Emit(_text, Math.Max(1, _virtualPrefix), output);
            return true;
        }

        var calls = new List<FunctionCallContent>();
        if (syntax.TryParse(_buffer[..length], calls))
        {
            output.AddRange(calls);
            _callsSeen = true;
            Consume(length);
            return true;
        }

        // A list of parallel calls cut off at the end of the output keeps the calls the model finished.
        if (endOfInput && length == _buffer.Length)
        {
            syntax.Salvage(_buffer, calls);
        }

        if (calls.Count > 0)
        {
            output.AddRange(calls);
            _callsSeen = true;
            Consume(length);
        }
        else
        {
            Emit(_text, length, output);
        }

        return true;
    }

    private bool PumpText(bool endOfInput, List<AIContent> output)
    {
        int best = -1;
        ToolCallSyntax? bestSyntax = null;
        (string Open, string Close)? bestReasoning = null;
        foreach (ToolCallSyntax syntax in _syntaxes)
        {
            int index = _buffer.IndexOf(syntax.Marker, StringComparison.Ordinal);
            if (index >= 0 && (best < 0 || index < best) && (!syntax.OnlyAtAnswerStart || IsAnswerStart(index)))
            {
                (best, bestSyntax) = (index, syntax);
            }
        }

        foreach ((string Open, string Close) tags in s_reasoningTags)
        {
            int index = _buffer.IndexOf(tags.Open, StringComparison.Ordinal);
            if (index >= 0 && (best < 0 || index <= best) && ReasoningMayOpen(index))
            {
                (best, bestSyntax, bestReasoning) = (index, null, tags);
            }
        }

        if (best < 0)
        {
            int keep = endOfInput ? 0 : HeldBackLength();
            Emit(_text, _buffer.Length - keep, output);
            return false;
        }

        Emit(_text, best, output);
        if (bestReasoning is { } reasoning)
        {
            Consume(reasoning.Open.Length);
            _reasoningClose = reasoning.Close;
            _reasoningSeen = true;
        }
        else
        {
            _block = bestSyntax;
        }

        return true;
    }

    // The longest end of the buffer that could grow into a marker.
    private int HeldBackLength()
    {
        int keep = 0;
        foreach (ToolCallSyntax syntax in _syntaxes)
        {
            int length = PartialMarkerLength(syntax.Marker);
            if (length > keep && (!syntax.OnlyAtAnswerStart || IsAnswerStart(_buffer.Length - length)))
            {
                keep = length;
            }
        }

        foreach ((string open, _) in s_reasoningTags)
        {
            int length = PartialMarkerLength(open);
            if (length > keep && ReasoningMayOpen(_buffer.Length - length))
            {
                keep = length;
            }
        }

        return keep;
    }

    private int PartialMarkerLength(string marker)
    {
        for (int length = Math.Min(marker.Length - 1, _buffer.Length); length > 0; length--)
        {
            if (_buffer.AsSpan(_buffer.Length - length).SequenceEqual(marker.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }

    private bool IsAnswerStart(int index) => !_text.HasWritten && _buffer.AsSpan(0, index).IsWhiteSpace();

    private bool ReasoningMayOpen(int index) => !_reasoningSeen && IsAnswerStart(index);

    private void Emit(TrimmedDeltaWriter writer, int length, List<AIContent> output)
    {
        int skip = Math.Min(_virtualPrefix, length);
        string delta = writer.Write(_buffer[skip..length]);
        Consume(length);
        if (delta.Length > 0)
        {
            output.Add(writer == _reasoning ? new TextReasoningContent(delta) : new TextContent(delta));
        }
    }

    private void Consume(int length)
    {
        _buffer = _buffer[length..];
        _virtualPrefix = Math.Max(0, _virtualPrefix - length);
    }
}
