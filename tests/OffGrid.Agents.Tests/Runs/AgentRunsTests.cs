using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Agents.Tools;

namespace OffGrid.Agents.Tests.Runs;

/// <summary>Runs on a real llama.cpp engine: step events, memory, budgets, cancellation and resuming from the SQLite transcript.</summary>
public sealed class AgentRunsTests(QwenEngine engine) : IClassFixture<QwenEngine>
{
    private static readonly AgentTemplate Talker = new() { Name = "talker", Instructions = "Answer.", ToolMode = AgentToolMode.None, Temperature = 0.8f, MaxOutputTokens = 8 };

    [Fact]
    public async Task AForcedMemoryCallIsStreamedAsStepsAndTheFactIsInTheNextRunsInstructions()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(new AgentTemplate { Name = "keeper", Instructions = "Keep facts.", Memory = true, ToolMode = AgentToolMode.Required, Temperature = 0.7f, MaxOutputTokens = 256 }, cancel);
        var recorder = new RecordingChatClient(engine.ChatClient);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "The pump code is 4711.", Agents = ["keeper"] }, recorder, cancellationToken: cancel);
        List<AgentStep> steps = [];
        await foreach (AgentStep step in runs.WatchAsync(run.Id, cancellationToken: cancel))
        {
            steps.Add(step);
        }

        run = runs.Get(run.Id);
        Assert.True(run.Status == AgentRunStatus.Completed, run.Error);
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps.Select(s => s.Sequence));
        // The first step is forced to call the tool; later steps are free, and a random-weight model may call it again.
        Assert.Equal((AgentStepKind.ToolCall, "keeper", "remember"), (steps[0].Kind, steps[0].Agent, steps[0].Tool));
        // The model may make several calls in one step; each call's result follows the calls of its step.
        AgentStep stored = Assert.Single(steps, s => s.Kind == AgentStepKind.ToolResult && s.CallId == steps[0].CallId);
        Assert.Equal("Stored.", stored.Text);
        Assert.True(stored.Sequence > steps[0].Sequence);
        Assert.Equal([AgentStepKind.Message, AgentStepKind.Final], steps.TakeLast(2).Select(s => s.Kind));
        Assert.True(steps[^1].InputTokens > 0 && steps[^1].OutputTokens > 0);
        Assert.Equal((run.InputTokens, run.OutputTokens), (steps[^1].InputTokens!.Value, steps[^1].OutputTokens!.Value));

        IReadOnlyList<string> facts = runs.GetMemories("keeper");
        Assert.Equal(steps.Where(s => s.Kind == AgentStepKind.ToolCall).Select(s => s.Arguments!.Value.GetProperty("fact").GetString()), facts);
        recorder.Requests.Clear();
        run = await runs.StartAsync(new AgentRunRequest { Task = "What do you know?", Agents = ["keeper"] }, recorder, cancellationToken: cancel);
        Assert.Equal(AgentRunStatus.Completed, (await runs.WaitAsync(run.Id, cancel)).Status);
        Assert.All(facts, fact => Assert.Contains("\n- " + fact, recorder.Requests[0].Options!.Instructions, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(AgentRunMode.Single, 1, 1, null, 512)]
    [InlineData(AgentRunMode.Parallel, 4, 1, null, 256)]
    [InlineData(AgentRunMode.Debate, 2, 10, null, 64)]
    [InlineData(AgentRunMode.Parallel, 4, 1, 7, 7)]
    public async Task AgentsWithoutAnOutputLimitWriteAtMostTheirShareOfTheLeadsMerge(AgentRunMode mode, int agents, int rounds, int? maxTokens, int expected)
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(new AgentTemplate { Name = "free", Instructions = "Answer.", ToolMode = AgentToolMode.None }, cancel);
        var recorder = new RecordingChatClient(engine.ChatClient);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Hi.", Agents = [.. Enumerable.Repeat("free", agents)], Mode = mode, Rounds = rounds, MaxOutputTokens = maxTokens }, recorder, cancellationToken: cancel);
        // The first model call shows the limit; the run need not write it out.
        while (Recorded(recorder) == 0)
        {
            await Task.Delay(10, cancel);
        }

        runs.Cancel(run.Id);
        await runs.WaitAsync(run.Id, cancel);
        lock (recorder.Requests)
        {
            Assert.All(recorder.Requests, r => Assert.Equal(expected, r.Options!.MaxOutputTokens));
        }
    }

    private static int Recorded(RecordingChatClient recorder)
    {
        lock (recorder.Requests)
        {
            return recorder.Requests.Count;
        }
    }

    [Fact]
    public async Task APromptOverTheContextFailsTheRunWithOneWarningLineAndNoStackTrace()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var logs = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var runs = new AgentRuns(home.Options, new AgentTemplates(home.Options), loggerFactory: loggers);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = string.Concat(Enumerable.Repeat("tea and coffee ", 4000)), Agents = ["creative"] }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        Assert.Equal(AgentRunStatus.Failed, run.Status);
        Assert.Contains("context window", run.Error, StringComparison.Ordinal);
        FakeLogRecord record = Assert.Single(logs.GetSnapshot(), r => r.Level > LogLevel.Debug);
        Assert.Equal((LogLevel.Warning, null), (record.Level, record.Exception));
        Assert.Equal($"Agent run {run.Id} failed: {run.Error}", record.Message);
    }

    [Fact]
    public async Task AnAgentCallsAToolboxToolAndItsRealResultIsAStep()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        home.Options.Shell.AllowedExecutables.Add("echo");
        await using var toolbox = new Toolbox(home.Options);
        await toolbox.Definitions.SaveAsync(ToolDefinition.Parse("""{"name":"shout","description":"Says a word.","parameters":{"type":"object","properties":{"word":{"type":"string","enum":["pump-4711"]}},"required":["word"]},"shell":{"command":["echo","{word}!"]}}"""), replace: false, cancel);
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(new AgentTemplate { Name = "crier", Instructions = "Shout.", Tools = ["shout"], ToolMode = AgentToolMode.Required, Temperature = 0.7f, MaxOutputTokens = 64, Budget = new AgentBudget { MaxSteps = 1 } }, cancel);
        await using var runs = new AgentRuns(home.Options, templates, toolbox);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Shout the code.", Agents = ["crier"] }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        // One step allowed, and the forced call needs a second to answer: the call is in the transcript, not run.
        Assert.Equal(AgentRunStatus.BudgetExceeded, run.Status);
        Assert.Contains("budget.maxSteps", run.Error, StringComparison.Ordinal);
        AgentStep call = Assert.Single(runs.GetSteps(run.Id));
        Assert.Equal((AgentStepKind.ToolCall, "shout", "pump-4711"), (call.Kind, call.Tool, call.Arguments!.Value.GetProperty("word").GetString()));

        await templates.SaveAsync((await templates.GetAsync("crier", cancel)) with { Budget = new AgentBudget { MaxSteps = 2 } }, cancel);
        run = await runs.StartAsync(new AgentRunRequest { Task = "Shout the code.", Agents = ["crier"] }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);
        IReadOnlyList<AgentStep> steps = runs.GetSteps(run.Id);
        Assert.Equal(AgentStepKind.ToolCall, steps[0].Kind);
        AgentStep result = Assert.Single(steps, s => s.Kind == AgentStepKind.ToolResult && s.CallId == steps[0].CallId);
        Assert.Equal("pump-4711!", result.Text!.Trim());
    }

    [Theory]
    [InlineData(AgentRunMode.Sequential, new[] { "a", "b", "c" }, new[] { "a", "b", "c" }, "c")]
    [InlineData(AgentRunMode.Parallel, new[] { "a", "b", "c" }, new[] { "a", "b", "c", "a" }, "a")]
    [InlineData(AgentRunMode.Debate, new[] { "a", "b" }, new[] { "a", "b", "a", "b", "a" }, "a")]
    [InlineData(AgentRunMode.Hierarchy, new[] { "a", "b", "c" }, null, "a")]
    public async Task EachModeLeavesATranscriptOfWhoSaidWhatInTurnOrder(AgentRunMode mode, string[] agents, string[]? speakers, string decider)
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        foreach (string name in agents)
        {
            await templates.SaveAsync(Talker with { Name = name }, cancel);
        }

        await using var runs = new AgentRuns(home.Options, templates);
        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Name a colour.", Agents = agents, Mode = mode }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        Assert.True(run.Status == AgentRunStatus.Completed, run.Error);
        List<AgentStep> messages = [.. runs.GetSteps(run.Id).Where(s => s.Kind == AgentStepKind.Message).OrderBy(s => s.Turn)];
        Assert.Equal(Enumerable.Range(0, messages.Count), messages.Select(m => m.Turn));
        if (speakers is not null)
        {
            Assert.Equal(speakers, messages.Select(m => m.Agent));
        }
        else
        {
            // Hierarchy: the planner, every worker (a subtask each, or the whole task when the plan names fewer), the planner again.
            Assert.Equal(["a", "b", "c", "a"], messages.Select(m => m.Agent));
        }

        AgentStep final = runs.GetSteps(run.Id)[^1];
        Assert.Equal((AgentStepKind.Final, decider, messages[^1].Turn, messages[^1].Text), (final.Kind, final.Agent, final.Turn, final.Text));
        Assert.Equal(run.Answer, final.Text);
    }

    [Fact]
    public async Task VotingPicksTheMajorityOfTheAgentsAnswers()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        // Greedy decoding of the same prompt gives the same answer: a and b agree; c samples on its own.
        await templates.SaveAsync(Talker with { Name = "a", Temperature = 0 }, cancel);
        await templates.SaveAsync(Talker with { Name = "b", Temperature = 0 }, cancel);
        await templates.SaveAsync(Talker with { Name = "c", Temperature = 1.5f, Instructions = "Answer differently." }, cancel);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Name a colour.", Agents = ["c", "a", "b"], Mode = AgentRunMode.Voting }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        Assert.True(run.Status == AgentRunStatus.Completed, run.Error);
        var answers = runs.GetSteps(run.Id).Where(s => s.Kind == AgentStepKind.Message).ToDictionary(s => s.Agent, s => s.Text);
        Assert.Equal(answers["a"], answers["b"]);
        Assert.Equal(answers["a"], run.Answer);
    }

    [Fact]
    public async Task CancellingStopsTheModelWithinTheStep()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(Talker with { Name = "long", MaxOutputTokens = 100_000 }, cancel);
        var recorder = new StreamProbe(engine.ChatClient, holdAfterFirstToken: true);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Write forever.", Agents = ["long"] }, recorder, cancellationToken: cancel);
        await recorder.FirstToken.WaitAsync(TimeSpan.FromSeconds(60), cancel);
        Assert.True(runs.Cancel(run.Id));
        run = await runs.WaitAsync(run.Id, cancel).WaitAsync(TimeSpan.FromSeconds(30), cancel);

        Assert.Equal(AgentRunStatus.Cancelled, run.Status);
        Assert.False(runs.Cancel(run.Id));
        Assert.DoesNotContain(runs.GetSteps(run.Id), s => s.Kind is AgentStepKind.Message or AgentStepKind.Final);
    }

    [Fact]
    public async Task EachTurnIsAnInvokeAgentSpanAndTheEndedRunIsCounted()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(Talker with { Name = "span-first" }, cancel);
        await templates.SaveAsync(Talker with { Name = "span-second" }, cancel);
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AgentsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);
        var ended = new ConcurrentQueue<(string? Mode, string? Status)>();
        using var metrics = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AgentsTelemetry.Name && instrument.Name == "offgrid.agents.runs")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        metrics.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            KeyValuePair<string, object?>[] all = tags.ToArray();
            ended.Enqueue((all.FirstOrDefault(t => t.Key == "offgrid.agent.mode").Value as string, all.FirstOrDefault(t => t.Key == "offgrid.agent.status").Value as string));
        });
        metrics.Start();
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Hello.", Agents = ["span-first", "span-second"], Mode = AgentRunMode.Sequential }, engine.ChatClient, cancellationToken: cancel);
        Assert.Equal(AgentRunStatus.Completed, (await runs.WaitAsync(run.Id, cancel)).Status);

        string[] agents = [.. spans.Select(a => a.GetTagItem("gen_ai.agent.name") as string ?? string.Empty).Where(n => n.StartsWith("span-", StringComparison.Ordinal))];
        Assert.Equal(["span-first", "span-second"], agents);
        Assert.Contains(("sequential", "completed"), ended);
    }

    [Fact]
    public async Task ATokenBudgetEndsTheRunOverBudget()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(Talker with { Name = "thrifty", Budget = new AgentBudget { MaxTokens = 10 } }, cancel);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Tell me everything about the sea and the sky.", Agents = ["thrifty"] }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        Assert.Equal(AgentRunStatus.BudgetExceeded, run.Status);
        Assert.Contains("budget.maxTokens", run.Error, StringComparison.Ordinal);
        // The turn that spent the budget finished: its answer and usage are kept.
        AgentStep message = Assert.Single(runs.GetSteps(run.Id));
        Assert.Equal(AgentStepKind.Message, message.Kind);
        Assert.Equal((message.InputTokens, message.OutputTokens), (run.InputTokens, run.OutputTokens));
        Assert.True(run.InputTokens + run.OutputTokens > 10);
    }

    [Fact]
    public async Task AForcedToolCallCutOffByTheTokenLimitFailsTheRunInsteadOfBecomingTheAnswer()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        await templates.SaveAsync(new AgentTemplate { Name = "notes", Instructions = "Remember what the user says.", Memory = true, ToolMode = AgentToolMode.Required, Temperature = 0.7f, MaxOutputTokens = 40 }, cancel);
        await using var runs = new AgentRuns(home.Options, templates);

        AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "My dog is called Rex.", Agents = ["notes"], MaxOutputTokens = 3 }, engine.ChatClient, cancellationToken: cancel);
        run = await runs.WaitAsync(run.Id, cancel);

        Assert.Equal(AgentRunStatus.Failed, run.Status);
        Assert.Null(run.Answer);
        Assert.Contains("tool call was cut off at max_tokens 3", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(runs.GetSteps(run.Id), s => s.Kind is AgentStepKind.Message or AgentStepKind.Final);
        Assert.Empty(runs.GetMemories("notes"));
    }

    [Fact]
    public async Task AnInterruptedRunIsResumedFromItsLastFinishedTurn()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        // The second agent must call a tool that sleeps a minute: it is still working when the host stops, whatever the model writes.
        home.Options.Shell.AllowedExecutables.Add("sleep");
        await using var toolbox = new Toolbox(home.Options);
        await toolbox.Definitions.SaveAsync(ToolDefinition.Parse("""{"name":"nap","description":"Waits.","parameters":{"type":"object","properties":{"seconds":{"type":"string","enum":["60"]}},"required":["seconds"]},"shell":{"command":["sleep","{seconds}"]}}"""), cancellationToken: cancel);
        await templates.SaveAsync(Talker with { Name = "first" }, cancel);
        await templates.SaveAsync(Talker with { Name = "second", Tools = ["nap"], ToolMode = AgentToolMode.Required, MaxOutputTokens = 48 }, cancel);
        var request = new AgentRunRequest { Task = "Name a colour.", Agents = ["first", "second"], Mode = AgentRunMode.Sequential };

        AgentRunInfo run;
        string firstAnswer;
        await using (var runs = new AgentRuns(home.Options, templates, toolbox))
        {
            run = await runs.StartAsync(request, engine.ChatClient, cancellationToken: cancel);
            await using IAsyncEnumerator<AgentStep> steps = runs.WatchAsync(run.Id, cancellationToken: cancel).GetAsyncEnumerator(cancel);
            while (await steps.MoveNextAsync() && steps.Current.Kind != AgentStepKind.Message)
            {
            }

            firstAnswer = steps.Current.Text!;
        }

        Assert.Equal(AgentRunStatus.Interrupted, new AgentRuns(home.Options, templates).Get(run.Id).Status);
        await templates.SaveAsync(Talker with { Name = "second" }, cancel);
        var recorder = new RecordingChatClient(engine.ChatClient);
        await using var restarted = new AgentRuns(home.Options, templates, toolbox);
        Assert.Equal(AgentRunStatus.Running, (await restarted.ResumeAsync(run.Id, recorder, cancellationToken: cancel)).Status);
        run = await restarted.WaitAsync(run.Id, cancel);

        Assert.True(run.Status == AgentRunStatus.Completed, run.Error);
        IReadOnlyList<AgentStep> transcript = restarted.GetSteps(run.Id);
        Assert.Equal(["first", "second"], transcript.Where(s => s.Kind == AgentStepKind.Message).Select(s => s.Agent));
        Assert.Equal(firstAnswer, transcript.First(s => s.Kind == AgentStepKind.Message).Text);
        // Only the unfinished turn went to the model again, with the first agent's stored answer in its prompt.
        Assert.Contains(firstAnswer, Assert.Single(recorder.Requests).Messages[^1].Text, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentRunException>(() => restarted.ResumeAsync(run.Id, engine.ChatClient, cancellationToken: cancel));
    }

    [Fact]
    public async Task BadRequestsAreRefusedWithTheField()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        await using var runs = new AgentRuns(home.Options, new AgentTemplates(home.Options));
        Assert.Contains("agents names a team of 2; pass mode too", (await Assert.ThrowsAsync<AgentRunException>(() => runs.StartAsync(new AgentRunRequest { Task = "x", Agents = ["coder", "analyst"] }, engine.ChatClient, cancellationToken: cancel))).Message, StringComparison.Ordinal);
        Assert.Contains("rounds", (await Assert.ThrowsAsync<AgentRunException>(() => runs.StartAsync(new AgentRunRequest { Task = "x", Agents = ["coder", "analyst"], Mode = AgentRunMode.Debate, Rounds = 0 }, engine.ChatClient, cancellationToken: cancel))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentTemplateNotFoundException>(() => runs.StartAsync(new AgentRunRequest { Task = "x", Agents = ["nobody"] }, engine.ChatClient, cancellationToken: cancel));
        Assert.Throws<AgentRunNotFoundException>(() => runs.Get("run_missing"));
    }
}
