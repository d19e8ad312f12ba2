using System.Text.Json;
using OffGrid.Agents.Runs;
using OffGrid.Cli.Output;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>Follows a run this process executes: its steps live on standard error, then its transcript (or JSON) on standard output.</summary>
internal static class AgentRunWatch
{
    /// <summary>Shows the run's steps after <paramref name="after"/> until it stops; Ctrl+C cancels it.</summary>
    /// <returns>The exit code: 0 completed, 130 cancelled, 1 otherwise.</returns>
    public static async Task<int> FollowAsync(CliConsole console, ConsoleInterrupts interrupts, AgentRuns runs, string id, long after, bool json)
    {
        using CancellationTokenRegistration stop = interrupts.CommandToken.Register(() => runs.Cancel(id));
        var steps = new List<AgentStep>(runs.GetSteps(id).Where(s => s.Sequence <= after));
        await foreach (AgentStep step in runs.WatchAsync(id, after, cancellationToken: CancellationToken.None).ConfigureAwait(false))
        {
            steps.Add(step);
            console.Error.MarkupLine(Describe(step));
        }

        AgentRunInfo run = runs.Get(id);
        if (json)
        {
            console.WriteJson(new
            {
                id = run.Id,
                status = JsonNamingPolicy.SnakeCaseLower.ConvertName(run.Status.ToString()),
                answer = run.Answer,
                error = run.Error,
                usage = new { input_tokens = run.InputTokens, output_tokens = run.OutputTokens },
                steps = steps.Select(s => new { sequence = s.Sequence, type = JsonNamingPolicy.SnakeCaseLower.ConvertName(s.Kind.ToString()), agent = s.Agent, turn = s.Turn, text = s.Text, tool = s.Tool, arguments = s.Arguments }),
            });
        }
        else
        {
            WriteTranscript(console, steps);
        }

        return run.Status switch
        {
            AgentRunStatus.Completed => 0,
            AgentRunStatus.Cancelled => Report("Cancelled; the run is kept as " + run.Id + " ('offgrid agent resume " + run.Id + " -m <model>' goes on with it).", FailureReporter.Cancelled),
            _ => Report((run.Error ?? run.Status.ToString()) + " The run is kept as " + run.Id + ".", FailureReporter.Failed),
        };
    }

    private static int Report(string message, int exitCode)
    {
        FailureReporter.WriteLine(Console.Error, message);
        return exitCode;
    }

    private static string Describe(AgentStep step)
    {
        string who = $"[grey][[{Markup.Escape(step.Agent)}]][/]";
        return step.Kind switch
        {
            AgentStepKind.Thinking => $"{who} [italic grey]thinking:[/] {Markup.Escape(Shorten(step.Text))}",
            AgentStepKind.ToolCall => $"{who} [blue]calls {Markup.Escape(step.Tool ?? "")}[/] {Markup.Escape(step.Arguments?.GetRawText() ?? "{}")}",
            AgentStepKind.ToolResult => $"{who} [blue]{Markup.Escape(step.Tool ?? "tool")} returned:[/] {Markup.Escape(Shorten(step.Text))}",
            AgentStepKind.Message => $"{who} {Markup.Escape(Shorten(step.Text))} [grey]({step.InputTokens ?? 0} in, {step.OutputTokens ?? 0} out)[/]",
            _ => $"{who} [green]final answer[/] [grey]({step.InputTokens ?? 0} tokens in, {step.OutputTokens ?? 0} out)[/]",
        };
    }

    private static string Shorten(string? text)
    {
        string line = string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 160 ? line : line[..157] + "...";
    }

    private static void WriteTranscript(CliConsole console, IReadOnlyList<AgentStep> steps)
    {
        foreach (AgentStep step in steps.Where(s => s.Kind is AgentStepKind.Message or AgentStepKind.Final))
        {
            console.Text.WriteLine(step.Kind == AgentStepKind.Final ? $"== final ({step.Agent}) ==" : $"== {step.Agent} (turn {step.Turn}) ==");
            console.Text.WriteLine(step.Text);
        }

        console.Text.Flush();
    }
}
