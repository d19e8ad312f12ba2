using System.Text;

namespace OffGrid.Cli.Chat;

/// <summary>
/// Reads what the user types in an interactive chat: one line, or a block of lines between <c>"""</c> markers
/// (the opening marker starts a line, the closing one ends a line). A line starting with <c>/</c> is a command.
/// </summary>
internal sealed class ChatInputReader
{
    private const string BlockMarker = "\"\"\"";

    private readonly IChatLines _lines;

    /// <summary>Reads from <paramref name="lines"/> (a terminal's line editor, or a pipe in tests and scripts).</summary>
    public ChatInputReader(IChatLines lines)
    {
        _lines = lines;
    }

    /// <summary>Reads the next input; <see langword="null"/> at the end of the input (Ctrl+D).</summary>
    /// <param name="cancellationToken">Stops waiting for the user.</param>
    public async Task<ChatInput?> ReadAsync(CancellationToken cancellationToken)
    {
        string? line = await _lines.ReadLineAsync(continuation: false, cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            return null;
        }

        string trimmed = line.TrimStart();
        if (!trimmed.StartsWith(BlockMarker, StringComparison.Ordinal))
        {
            return new ChatInput(line.Trim(), IsCommand: trimmed.StartsWith('/'));
        }

        var block = new StringBuilder();
        string current = trimmed[BlockMarker.Length..];
        while (true)
        {
            if (current.TrimEnd().EndsWith(BlockMarker, StringComparison.Ordinal))
            {
                string last = current.TrimEnd();
                block.Append(last[..^BlockMarker.Length]);
                return new ChatInput(block.ToString().Trim(), IsCommand: false);
            }

            block.Append(current).Append('\n');
            string? next = await _lines.ReadLineAsync(continuation: true, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return new ChatInput(block.ToString().Trim(), IsCommand: false);
            }

            current = next;
        }
    }
}
