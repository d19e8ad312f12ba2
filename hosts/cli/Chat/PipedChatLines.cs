using Spectre.Console;

namespace OffGrid.Cli.Chat;

/// <summary>Chat lines from a pipe or a file (scripts, tests): prompts on standard error, no line editing.</summary>
internal sealed class PipedChatLines : IChatLines
{
    private readonly TextReader _input;
    private readonly IAnsiConsole _prompts;

    /// <summary>Reads <paramref name="input"/>, showing prompts on <paramref name="prompts"/>.</summary>
    public PipedChatLines(TextReader input, IAnsiConsole prompts)
    {
        _input = input;
        _prompts = prompts;
    }

    /// <inheritdoc/>
    public Task<string?> ReadLineAsync(bool continuation, CancellationToken cancellationToken)
    {
        _prompts.Markup(continuation ? "[grey]... [/]" : "[bold]>>> [/]");

        // TextReader.ReadLine does not honour cancellation; waiting on a worker lets Ctrl+C end the chat at the prompt.
        return Task.Run(_input.ReadLine, CancellationToken.None).WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncDisposable KeepTypedAhead() => NothingToKeep.Instance;

    private sealed class NothingToKeep : IAsyncDisposable
    {
        public static readonly NothingToKeep Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
