using System.CommandLine;
using Microsoft.Extensions.AI;
using OffGrid.Cli.Chat;
using OffGrid.Cli.Knowledge;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;
using OffGrid.Hub;
using OffGrid.Inference.Engine;
using OffGrid.Rag.Chunking;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid run &lt;model&gt; [prompt]</c>: answers one prompt, or chats interactively.</summary>
internal sealed class RunCommand : Command
{
    private readonly CliConsole _console;
    private readonly ConsoleInterrupts _interrupts;
    private readonly ModelLocator _locator;
    private readonly AgentServices _agents;
    private readonly KnowledgeServices _knowledge;
    private readonly Option<string[]> _kb = new("--kb") { Description = "Answer from this knowledge collection, citing sources as [n] (repeatable)." };
    private readonly Option<int?> _kbTop = new Option<int?>("--kb-top") { Description = "How many sources to retrieve per question, 1 to 100 (default 4)." }.Between(1, 100);
    private readonly Option<bool> _cite = new("--cite") { Description = "With --kb: make every answer open with a source marker such as [1] (enforced by a grammar)." };
    private readonly Argument<string> _model = new Argument<string>("model") { Description = "An alias (llama3.2), owner/repo[:quant], a stored model, or a path to a .gguf file." }.RejectingOptions();
    private readonly Argument<string[]> _prompt = new Argument<string[]>("prompt") { Description = "The prompt; without one (and without piped input) an interactive chat starts.", Arity = ArgumentArity.ZeroOrMore }.RejectingOptions();
    private readonly Option<string?> _system = new("--system") { Description = "The system prompt." };
    private readonly Option<float?> _temperature = new Option<float?>("--temperature") { Description = "Sampling temperature, 0 to 2; 0 always picks the most likely token. (-t is refused: it means --threads in 'serve' and llama.cpp.)" }.SamplingSetting(t => new ChatOptions { Temperature = t });
    private readonly Option<string?> _shortT = AmbiguousShortT();
    private readonly Option<long?> _seed = new("--seed") { Description = "Random seed, for repeatable answers." };
    private readonly Option<int?> _contextSize = new Option<int?>("--ctx", "--ctx-size", "-c") { Description = "Context size in tokens (prompt plus answer), at least 16." }.Between(16);
    private readonly Option<int?> _maxTokens = new Option<int?>("--max-tokens", "-n") { Description = $"The most tokens an answer may have. Default: {ChatSession.DefaultCompletionTokens} when a base model continues text, else until the model ends its answer or the context (--ctx) is full." }.Between(1);
    private readonly Option<int?> _threads = ThreadsOption.Create("generation");
    private readonly Option<bool> _json = new("--json") { Description = "Ask the model for a JSON answer (structured output)." };
    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Print token counts and tokens/s after each answer." };
    private readonly Option<bool> _interactive = new("--interactive", "-i") { Description = "Chat even when input is piped (the prompt, if any, is the first message)." };
    private readonly Option<string[]> _tools = new("--tools") { Description = "MCP servers, plugins or custom tools the model may use, comma-separated (see 'offgrid tools list'). Each call and its result is shown.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _toolChoice = new("--tool-choice") { Description = "auto (default: the model decides), required (it must call a tool), none, or a tool's name (it must call that one)." };
    private readonly KvCacheOptions _kvCache = new();
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Approve every tool call that needs approval without asking." };
    private readonly SpeculationSwitches _speculation = new();

    /// <summary>Creates the command.</summary>
    public RunCommand(CliConsole console, ConsoleInterrupts interrupts, ModelLocator locator, KnowledgeServices knowledge, AgentServices agents)
        : base("run", CommandHelp.Describe(
            "Run a model: answer a prompt, or chat. Downloads the model first when it is not on this machine.",
            "offgrid run llama3.2",
            "offgrid run llama3.2 \"Why is the sky blue?\" --temperature 0",
            "echo \"Summarize: ...\" | offgrid run qwen2.5-0.5b",
            "offgrid run ./models/my-model.gguf --system \"Answer in French.\" --verbose",
            "offgrid run llama3.2 --cache-type-k q8_0 --cache-type-v q8_0 --flash-attn auto",
            "offgrid run qwen2.5-0.5b --tools filesystem,weather \"What is in notes.txt?\"",
            "offgrid run llama3.2 --kb docs \"How do I reset the pump?\"",
            "offgrid run qwen2.5-7b --draft-model qwen2.5-0.5b --prompt-cache"))
    {
        _console = console;
        _interrupts = interrupts;
        _locator = locator;
        _agents = agents;
        _knowledge = knowledge;
        Add(_model);
        Add(_prompt);
        Add(_system);
        Add(_temperature);
        Add(_shortT);
        Add(_seed);
        Add(_contextSize);
        Add(_maxTokens);
        Add(_threads);
        _kvCache.AddTo(this);
        Add(_json);
        Add(_verbose);
        Add(_interactive);
        Add(_tools);
        Add(_toolChoice);
        Add(_yes);
        Add(_kb);
        Add(_kbTop);
        Add(_cite);
        _speculation.AddTo(this);
        SetAction(ExecuteAsync);
    }

    /// <summary>
    /// <c>-t</c> set the temperature here but is the thread count in <c>offgrid serve</c> and llama.cpp: it is refused
    /// (exit 2) rather than given either meaning, so that neither a script nor a llama.cpp habit gets the other silently.
    /// </summary>
    private static Option<string?> AmbiguousShortT()
    {
        var option = new Option<string?>("-t") { Hidden = true };
        option.Validators.Add(result => result.AddError(
            "-t is ambiguous here: use --temperature for the sampling temperature (what -t set in 'offgrid run' before) or --threads for CPU threads (what -t means in 'offgrid serve' and llama.cpp)."));
        return option;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string model = parse.GetRequiredValue(_model);
        bool interactive = parse.GetValue(_interactive);
        bool verbose = parse.GetValue(_verbose);
        string? prompt = await ReadPromptAsync(parse, interactive, cancellationToken).ConfigureAwait(false);

        string[] toolNames = [.. (parse.GetValue(_tools) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        IReadOnlyList<AITool> tools = toolNames.Length > 0 ? await _agents.Toolbox.GetToolsAsync(toolNames, cancellationToken).ConfigureAwait(false) : [];
        ChatToolMode? toolMode = ToolMode(parse.GetValue(_toolChoice), tools);

        string path = await _locator.LocateAsync(model, cancellationToken).ConfigureAwait(false);
        int? threads = ThreadsOption.Read(parse, _threads, _console);
        LlamaEngineOptions engine = _kvCache.ApplyTo(new LlamaEngineOptions { ParallelSequences = 1, ContextSize = parse.GetValue(_contextSize), Threads = threads }, parse);
        await _speculation.ApplyAsync(parse, engine, _locator, cancellationToken).ConfigureAwait(false);
        int rounds = tools.Count > 0 ? _agents.Options.MaxToolRounds : 0;
        using LocalModelSession loaded = await LocalModelSession.LoadAsync(
            _console, path, engine, cancellationToken, rounds > 0 ? pipeline => pipeline.UseToolInvocation(f => f.MaximumIterationsPerRequest = rounds) : null).ConfigureAwait(false);
        if (parse.GetValue(_contextSize) is { } context && TrainedContext.Warning($"--ctx {context}", context, loaded.Engine.Model.TrainedContextLength) is { } beyond)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]Warning: {beyond}[/]");
        }

        string[] collections = parse.GetValue(_kb) ?? [];
        _knowledge.Threads = threads;
        IChatClient client = collections.Length == 0 ? loaded.ChatClient : loaded.ChatClient.AsBuilder().UseRag(_knowledge.Search, o =>
        {
            // Sources are budgeted in the chat model's own tokens, within half of its context.
            o.DefaultCollections = collections;
            o.Search.Top = parse.GetValue(_kbTop) ?? o.Search.Top;
            o.TokenCounter = TokenCounter.FromFunction(text => loaded.Engine.Model.Tokenize(text, addSpecial: false, parseSpecial: false).Length, "llama.cpp");
            o.MaxContextTokens = Math.Max(16, loaded.Engine.ContextSize / 2);
            o.RequireCitations = parse.GetValue(_cite);
        }).Build();
        if (collections.Length > 0)
        {
            // Unknown collections fail here, before the first question.
            foreach (string collection in collections)
            {
                await _knowledge.Collections.GetAsync(collection, cancellationToken).ConfigureAwait(false);
            }
        }

        var options = new ChatOptions
        {
            Instructions = parse.GetValue(_system),
            Temperature = parse.GetValue(_temperature),
            Seed = parse.GetValue(_seed),
            MaxOutputTokens = parse.GetValue(_maxTokens),
            ResponseFormat = parse.GetValue(_json) ? ChatResponseFormat.Json : null,
            Tools = tools.Count > 0 ? [.. tools] : null,
            ToolMode = toolMode,
        };

        // Approval answers are read where the chat reads its messages; a prompt piped in leaves nobody to ask.
        TextReader? answers = interactive || !_console.IsInputRedirected || prompt is null ? _console.Input : null;
        var session = new ChatSession(client, options, tools.Count > 0 ? new ToolActivity(_console.Error, answers, parse.GetValue(_yes)) : null, _agents.Options.MaxToolRounds)
        {
            // A base model has no chat template: what it can do is continue text (tools need a conversation).
            CompletionMode = loaded.Engine.Model.ChatTemplate is not { Length: > 0 } && parse.GetValue(_system) is null && !parse.GetValue(_json) && tools.Count == 0,
            Speculative = engine.Speculation.DraftModelPath is not null || engine.Speculation.NgramSize is not null,
        };

        if (prompt is not null && !interactive)
        {
            GenerationStats? stats = await session.SendAsync(prompt, _console.Answer, cancellationToken).ConfigureAwait(false);
            await _console.Answer.WriteLineAsync().ConfigureAwait(false);
            if (verbose && stats is not null)
            {
                _console.Error.MarkupLineInterpolated($"[grey]{stats}[/]");
                if (engine.PromptCache.Enabled && stats.PromptTokens < engine.PromptCache.MinTokens)
                {
                    _console.Error.MarkupLineInterpolated(
                        $"[grey](--prompt-cache: this prompt has {stats.PromptTokens} tokens; only prompts of {engine.PromptCache.MinTokens} tokens or more are saved and restored)[/]");
                }
            }

            if (stats?.LengthHint is { } hint && !parse.GetValue(_json))
            {
                _console.Error.MarkupLineInterpolated($"[grey]({hint})[/]");
            }

            return 0;
        }

        if (prompt is not null)
        {
            await session.SendAsync(prompt, _console.Answer, cancellationToken).ConfigureAwait(false);
            _console.Answer.WriteLine();
        }

        IChatLines lines = TerminalChatLines.IsSupported(_console)
            ? new TerminalChatLines(_console.Error, _interrupts, OffGridHome.Combine("history"))
            : new PipedChatLines(_console.Input, _console.Error);
        await new InteractiveChat(session, _console, lines, _interrupts, verbose).RunAsync(model, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Reads <c>--tool-choice</c>.</summary>
    /// <exception cref="UsageException">A choice without tools, or a tool name that is not among them.</exception>
    private static ChatToolMode? ToolMode(string? choice, IReadOnlyList<AITool> tools) => choice switch
    {
        null or "auto" => tools.Count > 0 ? ChatToolMode.Auto : null,
        _ when tools.Count == 0 => throw new UsageException("--tool-choice needs --tools."),
        "none" => ChatToolMode.None,
        "required" => ChatToolMode.RequireAny,
        _ when tools.Any(t => t.Name == choice) => ChatToolMode.RequireSpecific(choice),
        _ => throw new UsageException($"--tool-choice '{choice}' is not auto, required, none or one of the tools: {string.Join(", ", tools.Select(t => t.Name))}."),
    };

    /// <summary>The prompt words joined, followed by piped input (unless the chat reads its messages from the pipe).</summary>
    private async Task<string?> ReadPromptAsync(ParseResult parse, bool interactive, CancellationToken cancellationToken)
    {
        string[] words = parse.GetValue(_prompt) ?? [];
        string? prompt = words.Length > 0 ? string.Join(' ', words) : null;
        if (!_console.IsInputRedirected || interactive)
        {
            return prompt;
        }

        string piped = (await _console.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
        return piped.Length == 0 ? prompt
            : prompt is null ? piped
            : prompt + "\n\n" + piped;
    }
}
