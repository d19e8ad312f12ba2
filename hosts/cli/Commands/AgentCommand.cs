using System.CommandLine;
using System.Text.Json;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;
using OffGrid.Inference.Engine;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid agent list|show|run</c>: agent templates and agent runs on a local model, alone or together.</summary>
internal sealed class AgentCommand : Command
{
    private static readonly string[] s_modes = [.. Enum.GetNames<AgentRunMode>().Select(m => JsonNamingPolicy.SnakeCaseLower.ConvertName(m))];

    /// <summary>Creates <c>offgrid agent</c> and its subcommands.</summary>
    public AgentCommand(CliConsole console, ConsoleInterrupts interrupts, ModelLocator locator, AgentServices agents)
        : base("agent", "Agents: templates (built in, and $OFFGRID_HOME/agents/<name>.json) run on a local model, alone or as a team.")
    {
        Add(List(console, agents));
        Add(Show(console, agents));
        Add(new AgentRunCommand(console, interrupts, locator, agents));
    }

    private static Command List(CliConsole console, AgentServices agents)
    {
        var json = new Option<bool>("--json") { Description = "Write the templates as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the agent templates.", "offgrid agent list", "offgrid agent list --json")) { json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<AgentTemplate> templates = await agents.Templates.ListAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await console.Text.WriteLineAsync(JsonSerializer.Serialize(templates, AgentTemplates.JsonOptions)).ConfigureAwait(false);
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Tools").AddColumn("Description");
            foreach (AgentTemplate template in templates)
            {
                string tools = string.Join(", ", template.Memory ? template.Tools.Append("remember") : template.Tools);
                table.AddRow(Markup.Escape(template.Name), Markup.Escape(tools), Markup.Escape(template.Description ?? ""));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show(CliConsole console, AgentServices agents)
    {
        var name = new Argument<string>("name") { Description = "The template's name." }.RejectingOptions();
        var command = new Command("show", CommandHelp.Describe("Print a template as its file holds it (JSON).", "offgrid agent show researcher")) { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            AgentTemplate template = await agents.Templates.GetAsync(parse.GetRequiredValue(name), cancellationToken).ConfigureAwait(false);
            await console.Text.WriteLineAsync(JsonSerializer.Serialize(template, AgentTemplates.JsonOptions)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary><c>offgrid agent run</c>: one run, its steps shown live on standard error, its transcript on standard output.</summary>
    private sealed class AgentRunCommand : Command
    {
        private readonly CliConsole _console;
        private readonly ConsoleInterrupts _interrupts;
        private readonly ModelLocator _locator;
        private readonly AgentServices _agents;
        private readonly Argument<string> _template = new Argument<string>("template") { Description = "The agent (template name); with --agents, the lead: aggregator, judge or planner." }.RejectingOptions();
        private readonly Argument<string> _task = new("task") { Description = "The task." };
        private readonly Option<string> _model = new Option<string>("--model", "-m") { Description = "The model to run on (alias, owner/repo[:quant], stored model or .gguf path).", Required = true }
            .Must(model => string.IsNullOrWhiteSpace(model) ? "--model needs a model name or path." : null);
        private readonly Option<string> _mode = new Option<string>("--mode") { Description = "single (default), sequential, parallel, debate, voting or hierarchy.", DefaultValueFactory = _ => "single" }
            .Must(m => s_modes.Contains(m) ? null : $"--mode must be one of {string.Join(", ", s_modes)}.");
        private readonly Option<string?> _team = new Option<string?>("--agents") { Description = "The agents working together, comma-separated (templates), in order." }
            .Must(EmptyAgent);
        private readonly Option<int> _rounds = new Option<int>("--rounds") { Description = "Debate rounds (1-10).", DefaultValueFactory = _ => 2 }.Between(1, 10);
        private readonly Option<int?> _maxTokens = new Option<int?>("--max-tokens", "-n") { Description = "The most tokens each model call may write (default: each template's)." }.Between(1);
        private readonly Option<bool> _json = new("--json") { Description = "Write the run and its transcript as JSON." };
        private readonly Option<int?> _contextSize = new Option<int?>("--ctx-size") { Description = "The context window in tokens (default: the model's training context, at most 8192)." }.Between(64);
        private readonly Option<int?> _threads = ThreadsOption.Create("the agents' model");

        public AgentRunCommand(CliConsole console, ConsoleInterrupts interrupts, ModelLocator locator, AgentServices agents)
            : base("run", CommandHelp.Describe(
                "Run an agent on a task, or a team of agents in one of the orchestration modes. Steps show live; the transcript follows. Ctrl+C cancels (the run is kept and can be resumed by the server).",
                "offgrid agent run researcher \"Why is the sky blue?\" -m qwen2.5-0.5b -n 256",
                "offgrid agent run analyst \"Tabs or spaces?\" -m qwen2.5-0.5b --mode debate --agents coder,creative --rounds 1"))
        {
            _console = console;
            _interrupts = interrupts;
            _locator = locator;
            _agents = agents;
            Add(_template);
            Add(_task);
            Add(_model);
            Add(_mode);
            Add(_team);
            Add(_rounds);
            Add(_maxTokens);
            Add(_json);
            Add(_contextSize);
            Add(_threads);
            SetAction(RunAsync);
        }

        /// <summary>Says which item of <c>--agents</c> is empty (<c>a,,b</c>), so that it is not dropped silently.</summary>
        private static string? EmptyAgent(string? team)
        {
            string[] names = (team ?? "").Split(',', StringSplitOptions.TrimEntries);
            int empty = Array.IndexOf(names, "");
            return empty < 0 ? null
                : names.Length == 1 ? "--agents needs at least one agent name."
                : $"--agents has an empty name at position {empty + 1} ('{team}').";
        }

        private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
        {
            string lead = parse.GetRequiredValue(_template);
            string[] team = parse.GetValue(_team) is { } agents ? agents.Split(',', StringSplitOptions.TrimEntries) : [];
            var request = new AgentRunRequest
            {
                Task = parse.GetRequiredValue(_task),
                Agents = team.Length > 0 ? team : [lead],
                Lead = lead,
                Mode = Enum.Parse<AgentRunMode>(parse.GetRequiredValue(_mode).Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
                Rounds = parse.GetValue(_rounds),
                MaxOutputTokens = parse.GetValue(_maxTokens),
                Model = parse.GetRequiredValue(_model),
            };
            if (request.Validate() is { Count: > 0 } errors)
            {
                FailureReporter.WriteLine(Console.Error, string.Join(" ", errors));
                return FailureReporter.UsageError;
            }

            // Unknown templates and tools fail before the model loads.
            foreach (string name in request.Agents.Append(lead).Distinct(StringComparer.Ordinal))
            {
                await _agents.Templates.GetAsync(name, cancellationToken).ConfigureAwait(false);
            }

            string path = await _locator.LocateAsync(request.Model!, cancellationToken).ConfigureAwait(false);
            var engine = new LlamaEngineOptions { ParallelSequences = Math.Min(4, request.Agents.Count), ContextSize = parse.GetValue(_contextSize), Threads = ThreadsOption.Read(parse, _threads, _console) };
            using LocalModelSession loaded = await LocalModelSession.LoadAsync(_console, path, engine, cancellationToken).ConfigureAwait(false);
            AgentRunInfo run = await _agents.Runs.StartAsync(request, loaded.ChatClient, cancellationToken: cancellationToken).ConfigureAwait(false);
            using CancellationTokenRegistration stop = _interrupts.CommandToken.Register(() => _agents.Runs.Cancel(run.Id));
            var steps = new List<AgentStep>();
            await foreach (AgentStep step in _agents.Runs.WatchAsync(run.Id, cancellationToken: CancellationToken.None).ConfigureAwait(false))
            {
                steps.Add(step);
                _console.Error.MarkupLine(Describe(step));
            }

            run = _agents.Runs.Get(run.Id);
            if (parse.GetValue(_json))
            {
                _console.WriteJson(new
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
                WriteTranscript(steps);
            }

            return run.Status switch
            {
                AgentRunStatus.Completed => 0,
                AgentRunStatus.Cancelled => Report("Cancelled; the run is kept as " + run.Id + ".", FailureReporter.Cancelled),
                _ => Report(run.Error ?? run.Status.ToString(), FailureReporter.Failed),
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

        private void WriteTranscript(IReadOnlyList<AgentStep> steps)
        {
            foreach (AgentStep step in steps.Where(s => s.Kind is AgentStepKind.Message or AgentStepKind.Final))
            {
                _console.Text.WriteLine(step.Kind == AgentStepKind.Final ? $"== final ({step.Agent}) ==" : $"== {step.Agent} (turn {step.Turn}) ==");
                _console.Text.WriteLine(step.Text);
            }

            _console.Text.Flush();
        }
    }
}
