using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Inference;
using OffGrid.Inference.Chat;
using OffGrid.Cli.Output;
using Spectre.Console;

namespace OffGrid.Cli.Chat;

/// <summary>
/// The read-answer loop of <c>offgrid run</c> without a prompt: streamed answers, kept history, chat commands
/// (<c>/clear</c>, <c>/system</c>, <c>/set</c>, <c>/completion</c>, <c>/chat</c>, <c>/exit</c>) and <c>"""</c> blocks.
/// Ctrl+C stops the current answer; Ctrl+D and <c>/exit</c> leave.
/// </summary>
internal sealed class InteractiveChat
{
    private readonly ChatSession _session;
    private readonly CliConsole _console;
    private readonly IChatLines _lines;
    private readonly ConsoleInterrupts _interrupts;
    private readonly bool _verbose;

    /// <summary>Prepares a chat over <paramref name="session"/>, reading from <paramref name="lines"/>.</summary>
    public InteractiveChat(ChatSession session, CliConsole console, IChatLines lines, ConsoleInterrupts interrupts, bool verbose)
    {
        _session = session;
        _console = console;
        _lines = lines;
        _interrupts = interrupts;
        _verbose = verbose;
    }

    /// <summary>Chats until the user leaves or the input ends.</summary>
    public async Task RunAsync(string modelName, CancellationToken cancellationToken)
    {
        _console.Error.MarkupLineInterpolated($"[grey]Chatting with {modelName}: /help for commands, Ctrl+D or /exit to leave.[/]");
        if (_session.CompletionMode)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]{modelName} has no chat template (a base model): each message is continued as plain text, up to {_session.Options.MaxOutputTokens ?? ChatSession.DefaultCompletionTokens} tokens. /chat to chat anyway.[/]");
        }

        var reader = new ChatInputReader(_lines);
        while (true)
        {
            ChatInput? input;
            try
            {
                input = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _console.Error.WriteLine();
                return;
            }

            if (input is null)
            {
                return;
            }

            if (input.IsCommand)
            {
                if (!RunCommand(input.Text))
                {
                    return;
                }
            }
            else if (input.Text.Length > 0)
            {
                await AnswerAsync(input.Text, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AnswerAsync(string text, CancellationToken cancellationToken)
    {
        using InterruptScope answer = _interrupts.BeginScope(cancellationToken);
        await using IAsyncDisposable typedAhead = _lines.KeepTypedAhead();
        try
        {
            GenerationStats? stats = await _session.SendAsync(text, _console.Answer, answer.Token).ConfigureAwait(false);
            _console.Answer.WriteLine();
            if (_verbose && stats is not null)
            {
                _console.Error.MarkupLineInterpolated($"[grey]{stats}[/]");
            }

            if (stats?.LengthHint is { } hint)
            {
                _console.Error.MarkupLineInterpolated($"[grey]({hint})[/]");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _console.Answer.WriteLine();
            _console.Error.MarkupLine("[grey](answer stopped; it is not kept in the conversation)[/]");
        }
    }

    /// <summary>Runs a chat command; returns <see langword="false"/> when the chat should end.</summary>
    private bool RunCommand(string line)
    {
        string[] words = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string argument = words.Length > 1 ? words[1] : string.Empty;
        switch (words[0].ToLowerInvariant())
        {
            case "/exit" or "/bye" or "/quit":
                return false;
            case "/clear":
                _session.Clear();
                _console.Error.MarkupLine("[grey]Conversation cleared.[/]");
                break;
            case "/system":
                _session.Options.Instructions = argument.Length > 0 ? argument : null;
                _console.Error.MarkupLine(argument.Length > 0 ? "[grey]System prompt set.[/]" : "[grey]System prompt removed.[/]");
                break;
            case "/set":
                Set(argument);
                break;
            case "/completion":
                _session.CompletionMode = true;
                _console.Error.MarkupLine("[grey]Completion mode: each message is continued as plain text.[/]");
                break;
            case "/chat":
                _session.CompletionMode = false;
                _console.Error.MarkupLine("[grey]Chat mode: messages are sent as a conversation through the chat template.[/]");
                break;
            case "/help" or "/?":
                _console.Error.MarkupLine(
                    "[grey]/clear                  forget the conversation\n" +
                    "/system <text>          set the system prompt (empty removes it)\n" +
                    "/set temperature <t>    also: seed <n>, max-tokens <n>, top-p <p>, top-k <k>\n" +
                    "/completion, /chat      continue each message as plain text (base models), or chat\n" +
                    "/exit                   leave (also /bye, Ctrl+D)\n" +
                    "\"\"\"                     start and end a multi-line message\n" +
                    "Up, Down                earlier messages (kept across chats)\n" +
                    "Ctrl+C                  stop the current answer, or drop the line being typed[/]");
                break;
            default:
                _console.Error.MarkupLineInterpolated($"[yellow]Unknown command {words[0]}; type /help for the list.[/]");
                break;
        }

        return true;
    }

    private void Set(string argument)
    {
        string[] parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            _console.Error.MarkupLine("[yellow]Usage: /set <temperature|seed|max-tokens|top-p|top-k> <number>[/]");
            return;
        }

        // The value is tried on a copy and checked by the inference library's one range check, so that a bad one leaves
        // the chat as it was instead of failing every later turn.
        ChatOptions candidate = _session.Options.Clone();
        switch (parts[0].ToLowerInvariant())
        {
            case "temperature":
                candidate.Temperature = (float)value;
                break;
            case "seed":
                candidate.Seed = (long)value;
                break;
            case "max-tokens" or "max_tokens":
                candidate.MaxOutputTokens = (int)value;
                break;
            case "top-p" or "top_p":
                candidate.TopP = (float)value;
                break;
            case "top-k" or "top_k":
                candidate.TopK = (int)value;
                break;
            default:
                _console.Error.MarkupLineInterpolated($"[yellow]Unknown setting '{parts[0]}'; use temperature, seed, max-tokens, top-p or top-k.[/]");
                return;
        }

        try
        {
            LlamaChatOptions.ValidateSampling(candidate);
        }
        catch (SamplingRangeException e)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]{parts[0]} must be {e.Requirement}; {parts[1]} is not. It stays as it was.[/]");
            return;
        }

        (_session.Options.Temperature, _session.Options.Seed, _session.Options.MaxOutputTokens, _session.Options.TopP, _session.Options.TopK) =
            (candidate.Temperature, candidate.Seed, candidate.MaxOutputTokens, candidate.TopP, candidate.TopK);
        _console.Error.MarkupLineInterpolated($"[grey]{parts[0]} set to {parts[1]}.[/]");
    }
}
