using System.Text;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using OffGrid.Agents.Templates;

namespace OffGrid.Agents.Runs;

/// <summary>
/// Runs the turns of one run: each turn is a Microsoft Agent Framework <see cref="ChatClientAgent"/> over the host's chat
/// pipeline with OffGrid's tool invocation, its stream turned into <see cref="AgentStep"/>s that are stored as they happen.
/// A turn whose <see cref="AgentStepKind.Message"/> is already stored is replayed from the store; a turn cut short keeps the
/// tool calls it finished and goes on from there.
/// </summary>
/// <remarks>Turns of one run may execute concurrently (parallel modes); the token counters are updated atomically.</remarks>
internal sealed class AgentTurnExecution
{
    private const int MemoryFactsShown = 50;

    private readonly string _runId;
    private readonly AgentRunStore _store;
    private readonly IReadOnlyDictionary<string, AgentTemplate> _templates;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<AITool>> _tools;
    private readonly IChatClient _chatClient;
    private readonly ILookup<int, AgentStep> _earlier;
    private readonly Action<AgentStep> _published;
    private readonly int? _maxTokens;
    private long _inputTokens;
    private long _outputTokens;

    public AgentTurnExecution(string runId, AgentRunStore store, IReadOnlyDictionary<string, AgentTemplate> templates, IReadOnlyDictionary<string, IReadOnlyList<AITool>> tools,
        IChatClient chatClient, IReadOnlyList<AgentStep> earlier, int? maxTokens, Action<AgentStep> published)
    {
        _runId = runId;
        _store = store;
        _templates = templates;
        _tools = tools;
        _chatClient = chatClient;
        _earlier = earlier.ToLookup(s => s.Turn);
        _maxTokens = maxTokens;
        _published = published;
        _inputTokens = earlier.Where(s => s.Kind == AgentStepKind.Message).Sum(s => s.InputTokens ?? 0);
        _outputTokens = earlier.Where(s => s.Kind == AgentStepKind.Message).Sum(s => s.OutputTokens ?? 0);
    }

    public long InputTokens => Interlocked.Read(ref _inputTokens);

    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    /// <summary>Stores and publishes a step.</summary>
    public AgentStep Record(AgentStep step)
    {
        AgentStep stored = _store.Append(_runId, step with { At = DateTimeOffset.UtcNow });
        _published(stored);
        return stored;
    }

    /// <summary>Has <paramref name="agent"/> answer <paramref name="prompt"/> as turn <paramref name="turn"/>.</summary>
    /// <returns>The agent's answer.</returns>
    public async Task<string> TurnAsync(int turn, string agent, string prompt, CancellationToken cancellationToken)
    {
        AgentStep? done = _earlier[turn].FirstOrDefault(s => s.Kind == AgentStepKind.Message);
        if (done is not null)
        {
            return done.Text ?? "";
        }

        AgentTemplate template = _templates[agent];
        List<ChatMessage> messages = [new(ChatRole.User, prompt), .. Replay(_earlier[turn])];
        bool toolsCalled = messages.Count > 1;
        bool forced = template.ToolMode == AgentToolMode.Required && !toolsCalled && _tools[agent].Count > 0;
        var chatOptions = new ChatOptions
        {
            Instructions = Instructions(template),
            Tools = [.. _tools[agent]],
            Temperature = template.Temperature,
            MaxOutputTokens = template.MaxOutputTokens,
            ToolMode = template.ToolMode switch
            {
                AgentToolMode.Required when forced => ChatToolMode.RequireAny,
                AgentToolMode.None => ChatToolMode.None,
                _ => ChatToolMode.Auto,
            },
        };
        // A host's pipeline may already invoke tools (the server's does); a second invoker would run every call twice.
        IChatClient pipeline = _chatClient.GetService<FunctionInvokingChatClient>() is null
            ? _chatClient.AsBuilder().UseToolInvocation(f => f.MaximumIterationsPerRequest = template.Budget.MaxSteps).Build()
            : _chatClient;
        // The framework's telemetry gives each turn an OpenTelemetry "invoke_agent" span (GenAI semantic conventions)
        // under OffGrid.Agents, around the chat spans of the host's pipeline.
        AIAgent chatAgent = new ChatClientAgent(pipeline, new ChatClientAgentOptions { Name = template.Name, Description = template.Description, UseProvidedChatClientAsIs = true })
            .AsBuilder()
            .UseOpenTelemetry(AgentsTelemetry.Name)
            .Build();

        var text = new StringBuilder();
        var thinking = new StringBuilder();
        var pending = new Dictionary<string, string>(StringComparer.Ordinal);
        long turnInput = 0, turnOutput = 0;
        int toolRounds = 0;
        bool inRound = false;
        ChatFinishReason? finish = null;
        try
        {
            await foreach (AgentResponseUpdate update in chatAgent.RunStreamingAsync(messages, session: null, new ChatClientAgentRunOptions(chatOptions), cancellationToken).ConfigureAwait(false))
            {
                finish = update.FinishReason ?? finish;
                Consume(update);
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled or out of time: what the model wrote so far is kept in the transcript (not as the turn's answer).
            Flush(turn, agent, thinking.Append(text));
            throw;
        }

        Flush(turn, agent, thinking);
        if (pending.Count > 0)
        {
            throw new AgentBudgetExceededException($"Agent '{agent}' used its steps (budget.maxSteps, or the host's tool rounds) with tool calls still open.");
        }

        if (forced && toolRounds == 0 && finish == ChatFinishReason.Length)
        {
            // The grammar forced a tool call and the token limit cut it off: the half-written call is no answer.
            Flush(turn, agent, text);
            throw new AgentTurnFailedException($"Agent '{agent}' had to call a tool, but its tool call was cut off at max_tokens {template.MaxOutputTokens}; raise max_tokens (--max-tokens, or the template's maxOutputTokens).");
        }

        string answer = text.ToString().Trim();
        Record(new AgentStep { Kind = AgentStepKind.Message, Agent = agent, Turn = turn, Text = answer, InputTokens = turnInput, OutputTokens = turnOutput });
        _store.SetUsage(_runId, InputTokens, OutputTokens);
        // The turn finished, so its answer is kept (and replayed on resume) even when it spent the run's last tokens.
        CheckTokenBudget();
        return answer;

        void Consume(AgentResponseUpdate update)
        {
            foreach (AIContent content in update.Contents)
            {
                switch (content)
                {
                    case TextReasoningContent reasoning:
                        thinking.Append(reasoning.Text);
                        break;
                    case TextContent chunk:
                        text.Append(chunk.Text);
                        break;
                    case FunctionCallContent call:
                        // Text before a tool call is the model thinking aloud; the turn's message is what it says last.
                        Flush(turn, agent, thinking.Append(text));
                        text.Clear();
                        pending[call.CallId] = call.Name;
                        Record(new AgentStep { Kind = AgentStepKind.ToolCall, Agent = agent, Turn = turn, Tool = call.Name, CallId = call.CallId, Arguments = JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>()) });

                        // Each round of tool calls costs a step and needs one more to answer; the call is kept in the
                        // transcript but not run when that step is not in the budget.
                        if (!inRound && ++toolRounds >= template.Budget.MaxSteps)
                        {
                            throw new AgentBudgetExceededException($"Agent '{agent}' used its {template.Budget.MaxSteps} steps (budget.maxSteps) on tool calls.");
                        }

                        inRound = true;
                        break;
                    case FunctionResultContent result:
                        inRound = false;
                        pending.Remove(result.CallId, out string? tool);
                        Record(new AgentStep { Kind = AgentStepKind.ToolResult, Agent = agent, Turn = turn, Tool = tool, CallId = result.CallId, Text = ResultText(result) });
                        break;
                    case UsageContent usage:
                        turnInput += usage.Details.InputTokenCount ?? 0;
                        turnOutput += usage.Details.OutputTokenCount ?? 0;
                        Spend(usage.Details);
                        break;
                }
            }
        }
    }

    private void Spend(UsageDetails usage)
    {
        Interlocked.Add(ref _inputTokens, usage.InputTokenCount ?? 0);
        Interlocked.Add(ref _outputTokens, usage.OutputTokenCount ?? 0);
    }

    /// <summary>Ends the run when it spent more than budget.maxTokens: prompt and output tokens of every model call.</summary>
    private void CheckTokenBudget()
    {
        long used = InputTokens + OutputTokens;
        if (_maxTokens is { } max && used > max)
        {
            throw new AgentBudgetExceededException($"The run used {used} tokens (prompt and output), more than its budget of {max} (budget.maxTokens).");
        }
    }

    private void Flush(int turn, string agent, StringBuilder thinking)
    {
        string text = thinking.ToString().Trim();
        thinking.Clear();
        if (text.Length > 0)
        {
            Record(new AgentStep { Kind = AgentStepKind.Thinking, Agent = agent, Turn = turn, Text = text });
        }
    }

    private string Instructions(AgentTemplate template)
    {
        if (!template.Memory)
        {
            return template.Instructions;
        }

        IReadOnlyList<string> facts = _store.Memories(template.Name, MemoryFactsShown);
        return facts.Count == 0
            ? template.Instructions
            : template.Instructions + "\n\nFacts you stored in earlier runs:\n" + string.Join("\n", facts.Select(f => "- " + f));
    }

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception?.Message ?? "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
        object o => JsonSerializer.Serialize(o, AIJsonUtilities.DefaultOptions),
    };

    /// <summary>The tool calls a cut-short turn finished, as the messages the model saw.</summary>
    private static IEnumerable<ChatMessage> Replay(IEnumerable<AgentStep> steps)
    {
        var calls = steps.Where(s => s.Kind == AgentStepKind.ToolCall).ToList();
        foreach (AgentStep result in steps.Where(s => s.Kind == AgentStepKind.ToolResult))
        {
            AgentStep? call = calls.FirstOrDefault(c => c.CallId == result.CallId);
            if (call is null)
            {
                continue;
            }

            var arguments = call.Arguments?.Deserialize<Dictionary<string, object?>>();
            yield return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(call.CallId!, call.Tool!, arguments)]);
            yield return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId!, result.Text)]);
        }
    }
}
