using System.Text.Json;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace OffGrid.Cli.Chat;

/// <summary>
/// Shows tool calls and results on standard error as a chat runs them, and asks before a call that needs approval:
/// <c>y</c> runs it, anything else refuses it. With <c>--yes</c> every call is approved; without a way to ask (the prompt
/// came through a pipe), calls that need approval are refused.
/// </summary>
internal sealed class ToolActivity
{
    private const int ShownResultLength = 240;

    private readonly IAnsiConsole _error;
    private readonly TextReader? _answers;
    private readonly bool _approveAll;

    /// <param name="error">Where calls, results and questions are shown.</param>
    /// <param name="answers">Where the user's answers come from; <see langword="null"/> when nobody can be asked.</param>
    /// <param name="approveAll">Whether every call is approved without asking (<c>--yes</c>).</param>
    public ToolActivity(IAnsiConsole error, TextReader? answers, bool approveAll)
    {
        _error = error;
        _answers = answers;
        _approveAll = approveAll;
    }

    /// <summary>Shows the calls and results in <paramref name="update"/>.</summary>
    public void Show(ChatResponseUpdate update)
    {
        foreach (AIContent content in update.Contents)
        {
            switch (content)
            {
                case FunctionCallContent call:
                    _error.MarkupLineInterpolated($"[grey]⚙ {call.Name} {Arguments(call)}[/]");
                    break;
                case FunctionResultContent result:
                    _error.MarkupLineInterpolated($"[grey]  → {OneLine(result.Result?.ToString() ?? "null")}[/]");
                    break;
            }
        }
    }

    /// <summary>Asks whether the call of <paramref name="request"/> may run.</summary>
    public async Task<bool> ApproveAsync(ToolApprovalRequestContent request, CancellationToken cancellationToken)
    {
        var call = (FunctionCallContent)request.ToolCall;
        if (_approveAll)
        {
            _error.MarkupLineInterpolated($"[grey]⚙ {call.Name} {Arguments(call)} (approved by --yes)[/]");
            return true;
        }

        if (_answers is null)
        {
            _error.MarkupLineInterpolated($"[yellow]⚙ {call.Name} {Arguments(call)} needs approval and there is no terminal to ask; refused (pass --yes to allow every call).[/]");
            return false;
        }

        _error.MarkupInterpolated($"[yellow]Allow {call.Name} {Arguments(call)}? [[y/N]] [/]");
        string? answer = await _answers.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        bool approved = answer?.Trim().ToLowerInvariant() is "y" or "yes";
        if (!approved)
        {
            _error.MarkupLine("[grey]  refused[/]");
        }

        return approved;
    }

    private static string Arguments(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>());

    private static string OneLine(string text)
    {
        string line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= ShownResultLength ? line : line[..ShownResultLength] + "…";
    }
}
