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
        Add(new AgentResumeCommand(console, interrupts, locator, agents));
    }

    private static Command List(CliConsole console, AgentServices agents)
    {
        var json = new Option<bool>("--json") { Description = "Write the templates as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the agent templates.", "offgrid agent list", "offgrid agent list --json")) { json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            // A bad file is a warning: the other templates are still listed.
            IReadOnlyList<AgentTemplate> templates = await agents.Templates.ListAsync(bad => Console.Error.WriteLine("offgrid: warning: " + bad.Message), cancellationToken).ConfigureAwait(false);
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
        private readonly Option<int?> _contextSize = new Option<int?>("--ctx-size", "--ctx", "-c") { Description = "The context window in tokens (default: the model's training context, at most 8192)." }.Between(64);
        private readonly Option<int?> _threads = ThreadsOption.Create("the agents' model");

        public AgentRunCommand(CliConsole console, ConsoleInterrupts interrupts, ModelLocator locator, AgentServices agents)
            : base("run", CommandHelp.Describe(
                "Run an agent on a task, or a team of agents in one of the orchestration modes. Steps show live; the transcript follows. Ctrl+C cancels (the run is kept: 'offgrid agent resume <run-id> -m <model>' goes on from its last finished turn).",
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
            if (request.Validate(CliField) is { Count: > 0 } problems)
            {
                FailureReporter.WriteLine(Console.Error, string.Join(" ", problems.Select(p => p.Value)));
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
            return await AgentRunWatch.FollowAsync(_console, _interrupts, _agents.Runs, run.Id, after: 0, parse.GetValue(_json)).ConfigureAwait(false);
        }
    }

    /// <summary>The option that sets a request field, for validation messages.</summary>
    private static string CliField(string property) => property switch
    {
        nameof(AgentRunRequest.Agents) => "--agents",
        nameof(AgentRunRequest.Mode) => "--mode",
        nameof(AgentRunRequest.MaxOutputTokens) => "--max-tokens",
        nameof(AgentRunRequest.Rounds) => "--rounds",
        _ => property.ToLowerInvariant(),
    };

    /// <summary><c>offgrid agent resume</c>: goes on with a cancelled, interrupted, failed or over-budget run from its last finished turn.</summary>
    private sealed class AgentResumeCommand : Command
    {
        private readonly CliConsole _console;
        private readonly ConsoleInterrupts _interrupts;
        private readonly ModelLocator _locator;
        private readonly AgentServices _agents;
        private readonly Argument<string> _id = new Argument<string>("run-id") { Description = "The run's id (run_…), as 'agent run' printed it." }.RejectingOptions();
        private readonly Option<string> _model = new("--model", "-m") { Description = "The model to go on with (alias, owner/repo[:quant], stored model or .gguf path).", Required = true };
        private readonly Option<bool> _json = new("--json") { Description = "Write the run and its transcript as JSON." };
        private readonly Option<int?> _contextSize = new Option<int?>("--ctx-size", "--ctx", "-c") { Description = "The context window in tokens (default: the model's training context, at most 8192)." }.Between(64);
        private readonly Option<int?> _threads = ThreadsOption.Create("the agents' model");

        public AgentResumeCommand(CliConsole console, ConsoleInterrupts interrupts, ModelLocator locator, AgentServices agents)
            : base("resume", CommandHelp.Describe(
                "Resume a cancelled, interrupted, failed or over-budget run: finished turns are kept, the rest runs on the model given. Steps show live; the whole transcript follows.",
                "offgrid agent resume run_0123456789abcdef01234567 -m qwen2.5-0.5b"))
        {
            _console = console;
            _interrupts = interrupts;
            _locator = locator;
            _agents = agents;
            Add(_id);
            Add(_model);
            Add(_json);
            Add(_contextSize);
            Add(_threads);
            SetAction(RunAsync);
        }

        private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
        {
            // An unknown run fails before the model loads; a completed one, or one another process runs, when resuming.
            AgentRunInfo stored = _agents.Runs.Get(parse.GetRequiredValue(_id));
            string path = await _locator.LocateAsync(parse.GetRequiredValue(_model), cancellationToken).ConfigureAwait(false);
            var engine = new LlamaEngineOptions { ParallelSequences = Math.Min(4, stored.Request.Agents.Count), ContextSize = parse.GetValue(_contextSize), Threads = ThreadsOption.Read(parse, _threads, _console) };
            using LocalModelSession loaded = await LocalModelSession.LoadAsync(_console, path, engine, cancellationToken).ConfigureAwait(false);
            await _agents.Runs.ResumeAsync(stored.Id, loaded.ChatClient, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await AgentRunWatch.FollowAsync(_console, _interrupts, _agents.Runs, stored.Id, after: 0, parse.GetValue(_json)).ConfigureAwait(false);
        }
    }
}
