using OffGrid.Cli.Output;
using RadLine;
using Spectre.Console;

namespace OffGrid.Cli.Chat;

/// <summary>
/// Chat lines from a terminal, read with RadLine's line editor: Left/Right, Home/End, Backspace/Delete, Up/Down through
/// the history (kept in a file across chats), Ctrl+D on an empty line to leave, Ctrl+C to drop the line being typed, and
/// keys typed during an answer kept for the next prompt.
/// </summary>
/// <remarks>Not thread-safe: one prompt at a time.</remarks>
internal sealed class TerminalChatLines : IChatLines
{
    private const int HistoryLimit = 1000;

    private readonly IAnsiConsole _console;
    private readonly ConsoleInterrupts _interrupts;
    private readonly string _historyFile;
    private readonly List<string> _history;
    private readonly TerminalKeys _keys = new();

    /// <summary>Edits lines on <paramref name="console"/> (standard error) with the history in <paramref name="historyFile"/>.</summary>
    public TerminalChatLines(IAnsiConsole console, ConsoleInterrupts interrupts, string historyFile)
    {
        _console = console;
        _interrupts = interrupts;
        _historyFile = historyFile;
        _history = File.Exists(historyFile) ? [.. File.ReadLines(historyFile).Where(l => l.Length > 0).TakeLast(HistoryLimit)] : [];
    }

    /// <summary>Whether the line editor can run on <paramref name="console"/>: input and the console are a terminal with ANSI support.</summary>
    public static bool IsSupported(CliConsole console) => !console.IsInputRedirected && LineEditor.IsSupported(console.Error);

    /// <inheritdoc/>
    public async Task<string?> ReadLineAsync(bool continuation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var editor = new LineEditor(_console, _keys) { Prompt = new LineEditorPrompt(continuation ? "[grey]...[/]" : "[bold]>>>[/]") };
            editor.KeyBindings.Add<PreviousHistoryCommand>(ConsoleKey.UpArrow);
            editor.KeyBindings.Add<NextHistoryCommand>(ConsoleKey.DownArrow);
            editor.KeyBindings.Add(ConsoleKey.D, ConsoleModifiers.Control, () => new EndOfInputCommand());
            _history.ForEach(editor.History.Add);

            using InterruptScope prompt = _interrupts.BeginScope(cancellationToken);
            string? line;
            try
            {
                line = await editor.ReadLine(prompt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (prompt.Token.IsCancellationRequested)
            {
                _console.WriteLine();
                line = null;
            }

            if (prompt.Token.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Ctrl+C at the prompt drops the line, as in a shell; leaving takes Ctrl+D or /exit.
                _console.MarkupLine("[grey](Ctrl+D or /exit leaves the chat.)[/]");
                continue;
            }

            if (line is not null)
            {
                Remember(line);
            }

            return line;
        }
    }

    /// <inheritdoc/>
    public IAsyncDisposable KeepTypedAhead() => _keys.CollectTypedAhead();

    private void Remember(string line)
    {
        if (line.Trim().Length == 0 || (_history.Count > 0 && _history[^1] == line))
        {
            return;
        }

        _history.Add(line);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_historyFile)!);
            File.AppendAllText(_historyFile, line.ReplaceLineEndings(" ") + Environment.NewLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only home folder costs the history, not the chat.
        }
    }
}
