using System.Text;

namespace OffGrid.Cli.Output;

/// <summary>
/// Writes streamed text to a terminal, breaking lines between words rather than inside them. A word is held back until
/// the space or line break after it arrives (or <see cref="Flush"/>), then moved to the next line if it would not fit.
/// </summary>
/// <remarks>Not thread-safe: one answer streams at a time.</remarks>
internal sealed class WordWrapWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly Func<int> _width;
    private readonly StringBuilder _word = new();
    private int _column;

    /// <summary>Wraps <paramref name="inner"/> at the width <paramref name="width"/> returns (read at each word, so resizes apply).</summary>
    public WordWrapWriter(TextWriter inner, Func<int> width)
    {
        _inner = inner;
        _width = width;
    }

    /// <inheritdoc/>
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        switch (value)
        {
            case '\n':
                FlushWord();
                _inner.Write('\n');
                _column = 0;
                break;
            case '\r':
                break;
            case ' ' or '\t':
                FlushWord();
                if (_column + 1 < Width)
                {
                    _inner.Write(value);
                    _column++;
                }
                else
                {
                    // The space falls at the end of the line: the line break replaces it.
                    _inner.Write('\n');
                    _column = 0;
                }

                break;
            default:
                _word.Append(value);
                if (_word.Length >= Width)
                {
                    FlushWord(); // a word longer than the line breaks where it must
                }

                break;
        }
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        foreach (char c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    /// <inheritdoc/>
    public override void WriteLine()
    {
        Write('\n');
        Flush();
    }

    /// <summary>Writes the word held back, then flushes: call it when the text ends.</summary>
    public override void Flush()
    {
        FlushWord();
        _inner.Flush();
    }

    /// <inheritdoc/>
    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <summary>Flushes what is complete; a word still being streamed stays held back (<see cref="Flush"/> writes it).</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    private int Width => Math.Max(10, _width());

    private void FlushWord()
    {
        if (_word.Length == 0)
        {
            return;
        }

        if (_column > 0 && _column + _word.Length > Width)
        {
            _inner.Write('\n');
            _column = 0;
        }

        _inner.Write(_word.ToString());
        _column += _word.Length;
        _word.Clear();
    }
}
