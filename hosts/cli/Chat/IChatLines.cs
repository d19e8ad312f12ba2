namespace OffGrid.Cli.Chat;

/// <summary>Where the lines of an interactive chat come from: a terminal with a line editor, or a pipe.</summary>
internal interface IChatLines
{
    /// <summary>Shows the prompt and reads one line; <see langword="null"/> at the end of the input (Ctrl+D).</summary>
    /// <param name="continuation">Whether the line continues a <c>"""</c> block (a different prompt).</param>
    /// <param name="cancellationToken">Ends the chat.</param>
    Task<string?> ReadLineAsync(bool continuation, CancellationToken cancellationToken);

    /// <summary>Keeps what the user types while an answer is written, for the next prompt; dispose when the answer ends.</summary>
    IAsyncDisposable KeepTypedAhead();
}
