using System.Text;

namespace OffGrid.Cli.Output;

/// <summary>
/// Passes text through without the spaces at the ends of lines: Spectre pads every grid and table row to the console
/// width, which in a file or pipe leaves each line with a tail of spaces. Spaces are held back until the next character
/// shows whether they end the line, so text still streams.
/// </summary>
/// <remarks>Not thread-safe, like the writer it wraps.</remarks>
internal sealed class TrailingSpaceTrimmingWriter(TextWriter inner) : TextWriter
{
    private int _heldSpaces;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == ' ')
        {
            _heldSpaces++;
            return;
        }

        if (value is not ('\n' or '\r') && _heldSpaces > 0)
        {
            inner.Write(new string(' ', _heldSpaces));
        }

        _heldSpaces = 0;
        inner.Write(value);
    }

    public override void Flush() => inner.Flush();
}
