using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Agents.Orchestration;
using OffGrid.Agents.Templates;

namespace OffGrid.Agents.Runs;

/// <summary>
/// Starts, watches, cancels and resumes agent runs. A run works in the background on the chat pipeline the caller hands in
/// (the host's per-model <see cref="IChatClient"/>); every step is stored in SQLite (<see cref="AgentOptions.AgentsDatabasePath"/>)
/// as it happens, so a run whose process died is found <see cref="AgentRunStatus.Interrupted"/> with its transcript and
/// can be resumed: finished turns are replayed from the store, the interrupted one goes on after its last finished tool call.
/// </summary>
/// <remarks>Thread-safe. Disposing stops the runs still working and marks them interrupted, so they can be resumed later.</remarks>
public sealed class AgentRuns : IAsyncDisposable
{
    private const string RememberTool = "remember";

    private readonly AgentRunStore _store;
    private readonly AgentTemplates _templates;
    private readonly Toolbox? _toolbox;
    private readonly ILogger _logger;
    private readonly Func<Exception, string?>? _describeFailure;
    private readonly ConcurrentDictionary<string, ActiveRun> _active = new(StringComparer.Ordinal);
    private volatile bool _disposing;

    /// <summary>
    /// Initializes the runs over <paramref name="options"/>' database; runs left <c>running</c> by a process that is gone become
    /// interrupted (runs that another live process executes, such as a server sharing the file, stay running).
    /// </summary>
    /// <param name="options">Where the database lives.</param>
    /// <param name="templates">The agent templates.</param>
    /// <param name="toolbox">The tools agents may call; <see langword="null"/> when templates name no tools.</param>
    /// <param name="loggerFactory">Logs run failures.</param>
    public AgentRuns(AgentOptions options, AgentTemplates templates, Toolbox? toolbox = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(templates);
        _store = new AgentRunStore(options.AgentsDatabasePath);
        _templates = templates;
        _toolbox = toolbox;
        _describeFailure = options.DescribeFailure;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AgentRuns>();
        _store.InterruptOrphans(_store.Running());
    }

    /// <summary>Gets the templates runs use.</summary>
    public AgentTemplates Templates => _templates;

    /// <summary>Validates <paramref name="request"/>, stores the run and starts it in the background.</summary>
    /// <param name="request">What to run.</param>
    /// <param name="chatClient">The model's chat pipeline, without function invocation (the run adds its own).</param>
    /// <param name="lease">Disposed when the run ends, e.g. the host's hold on the loaded model.</param>
    /// <param name="cancellationToken">Stops the validation; the run itself is stopped with <see cref="Cancel"/>.</param>
    /// <returns>The stored run, <see cref="AgentRunStatus.Running"/>.</returns>
    /// <exception cref="AgentRunException">The request is invalid; the message names the field.</exception>
    /// <exception cref="AgentTemplateNotFoundException">An agent names no template.</exception>
    /// <exception cref="ToolNotFoundException">A template names a tool that does not exist.</exception>
    public async Task<AgentRunInfo> StartAsync(AgentRunRequest request, IChatClient chatClient, IAsyncDisposable? lease = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(chatClient);
        IReadOnlyList<string> errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new AgentRunException(string.Join(" ", errors));
        }

        Prepared prepared = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        AgentRunInfo run = _store.Create(request, AgentRunOwner.ForRun(prepared.Budget.MaxSeconds));
        var active = new ActiveRun();
        _active[run.Id] = active;
        AgentRunOwner.Executing(run.Id);
        Launch(run, active, prepared, chatClient, lease, []);
        return run;
    }

    /// <summary>Resumes an interrupted, cancelled, failed or over-budget run from its last stored checkpoint.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="chatClient">The model's chat pipeline.</param>
    /// <param name="lease">Disposed when the run ends.</param>
    /// <param name="cancellationToken">Stops the preparation.</param>
    /// <returns>The run, <see cref="AgentRunStatus.Running"/> again.</returns>
    /// <exception cref="AgentRunNotFoundException">No run has that id.</exception>
    /// <exception cref="AgentRunConflictException">The run is running, here or in another live process.</exception>
    /// <exception cref="AgentRunException">The run completed.</exception>
    public async Task<AgentRunInfo> ResumeAsync(string id, IChatClient chatClient, IAsyncDisposable? lease = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        AgentRunInfo run = Get(id);
        ThrowIfRunning(run);
        if (run.Status == AgentRunStatus.Completed)
        {
            throw new AgentRunException($"Agent run '{id}' is completed; only interrupted, cancelled, failed or over-budget runs resume.");
        }

        Prepared prepared = await PrepareAsync(run.Request, cancellationToken).ConfigureAwait(false);
        var active = new ActiveRun();
        // The claim is one UPDATE on the stored status, so two processes resuming the same run cannot both win.
        if (!_active.TryAdd(id, active))
        {
            throw new AgentRunConflictException($"Agent run '{id}' is running; cancel it first or wait for it to stop.");
        }

        AgentRunOwner.Executing(id);
        if (!_store.Claim(id, run.Status, AgentRunOwner.ForRun(prepared.Budget.MaxSeconds)))
        {
            _active.TryRemove(id, out _);
            AgentRunOwner.Stopped(id);
            ThrowIfRunning(Get(id));
            throw new AgentRunException($"Agent run '{id}' changed while it was being resumed; try again.");
        }

        run = _store.Get(id)!;
        Launch(run, active, prepared, chatClient, lease, _store.Steps(id, 0));
        return run;
    }

    /// <summary>Gets a run.</summary>
    /// <param name="id">The run's id.</param>
    /// <returns>The run as stored now.</returns>
    /// <exception cref="AgentRunNotFoundException">No run has that id.</exception>
    /// <remarks>A <c>running</c> run whose process is gone is marked <see cref="AgentRunStatus.Interrupted"/> as it is read.</remarks>
    public AgentRunInfo Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        AgentRunInfo run = _store.Get(id) ?? throw new AgentRunNotFoundException(id);
        return _store.InterruptOrphans([run]) ? _store.Get(id)! : run;
    }

    /// <summary>Lists the latest runs, newest first.</summary>
    /// <param name="limit">The most runs to return, 1 to 1000.</param>
    /// <param name="user">Only the runs of this user (<see cref="AgentRunRequest.User"/>, case-insensitive); every run when <see langword="null"/>.</param>
    /// <returns>The runs.</returns>
    /// <remarks>A <c>running</c> run whose process is gone is marked <see cref="AgentRunStatus.Interrupted"/> as it is read.</remarks>
    public IReadOnlyList<AgentRunInfo> List(int limit = 50, string? user = null)
    {
        IReadOnlyList<AgentRunInfo> runs = _store.List(Math.Clamp(limit, 1, 1000), user);
        return _store.InterruptOrphans(runs) ? _store.List(Math.Clamp(limit, 1, 1000), user) : runs;
    }

    /// <summary>Gets a run's transcript.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="after">Returns only steps after this sequence number.</param>
    /// <returns>The steps, in order.</returns>
    /// <exception cref="AgentRunNotFoundException">No run has that id.</exception>
    public IReadOnlyList<AgentStep> GetSteps(string id, long after = 0)
    {
        Get(id);
        return _store.Steps(id, after);
    }

    /// <summary>Gets the facts an agent stored with its <c>remember</c> tool, oldest first.</summary>
    /// <param name="agent">The agent's template name.</param>
    /// <param name="limit">The most recent facts to return.</param>
    /// <returns>The facts.</returns>
    public IReadOnlyList<string> GetMemories(string agent, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return _store.Memories(agent, Math.Clamp(limit, 1, 10_000));
    }

    /// <summary>Streams a run's steps: the stored ones after <paramref name="after"/>, then new ones as they happen, until the run stops.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="after">Starts after this sequence number.</param>
    /// <param name="cancellationToken">Stops watching (not the run).</param>
    /// <returns>The steps, in order.</returns>
    /// <exception cref="AgentRunNotFoundException">No run has that id.</exception>
    public async IAsyncEnumerable<AgentStep> WatchAsync(string id, long after = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Get(id);
        while (true)
        {
            // Take the signal before reading, so a step stored between the read and the wait still wakes us.
            _active.TryGetValue(id, out ActiveRun? active);
            Task changed = active?.Changed ?? Task.CompletedTask;
            foreach (AgentStep step in _store.Steps(id, after))
            {
                after = step.Sequence;
                yield return step;
            }

            if (active is null)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a run stops and returns it.</summary>
    /// <param name="id">The run's id.</param>
    /// <param name="cancellationToken">Stops waiting (not the run).</param>
    /// <returns>The run as stored when it stopped.</returns>
    public async Task<AgentRunInfo> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        if (_active.TryGetValue(id, out ActiveRun? active))
        {
            await active.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return Get(id);
    }

    /// <summary>Cancels a working run: the model stops within the step it is in, and the run ends <see cref="AgentRunStatus.Cancelled"/>.</summary>
    /// <param name="id">The run's id.</param>
    /// <returns><see langword="true"/> when the run was working; <see langword="false"/> when it had already stopped.</returns>
    /// <exception cref="AgentRunNotFoundException">No run has that id.</exception>
    /// <exception cref="AgentRunConflictException">Another live process executes the run; only that process can stop it.</exception>
    public bool Cancel(string id)
    {
        AgentRunInfo run = Get(id);
        if (!_active.TryGetValue(id, out ActiveRun? active))
        {
            ThrowIfRunning(run);
            return false;
        }

        active.Cancellation.Cancel();
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        foreach (ActiveRun active in _active.Values)
        {
            await active.Cancellation.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_active.Values.Select(a => a.Completion)).ConfigureAwait(false);
    }

    /// <summary>Refuses to act on a run that is running: Get has already interrupted it when its owner was gone.</summary>
    private void ThrowIfRunning(AgentRunInfo run)
    {
        if (_active.ContainsKey(run.Id))
        {
            throw new AgentRunConflictException($"Agent run '{run.Id}' is running; cancel it first or wait for it to stop.");
        }

        if (run.Status == AgentRunStatus.Running)
        {
            throw new AgentRunConflictException($"Agent run '{run.Id}' is running in {(object?)run.Owner ?? "another process"}, which shares this agents.db; cancel or resume it there (Ctrl+C for 'offgrid agent run'), or wait for it to stop.");
        }
    }

    private async Task<Prepared> PrepareAsync(AgentRunRequest request, CancellationToken cancellationToken)
    {
        var templates = new Dictionary<string, AgentTemplate>(StringComparer.Ordinal);
        var tools = new Dictionary<string, IReadOnlyList<AITool>>(StringComparer.Ordinal);
        foreach (string name in request.Agents.Append(request.LeadAgent).Distinct(StringComparer.Ordinal))
        {
            AgentTemplate template = await _templates.GetAsync(name, cancellationToken).ConfigureAwait(false);
            templates[name] = template with { MaxOutputTokens = request.MaxOutputTokens ?? template.MaxOutputTokens ?? request.DefaultMaxOutputTokens };
            var agentTools = new List<AITool>();
            if (template.Tools.Count > 0)
            {
                agentTools.AddRange(_toolbox is null
                    ? throw new AgentRunException($"Agent template '{name}' names tools, but no toolbox is configured.")
                    : await _toolbox.GetToolsAsync(template.Tools, cancellationToken).ConfigureAwait(false));
            }

            if (template.Memory)
            {
                agentTools.Add(AIFunctionFactory.Create(
                    (string fact) => { _store.Remember(name, fact); return "Stored."; },
                    RememberTool,
                    "Stores a fact for later runs. Use it for facts worth keeping; you will see them in your instructions next time."));
            }

            tools[name] = agentTools;
        }

        // The run's wall time and tokens follow the lead's budget; each agent's steps follow its own.
        return new Prepared(templates, tools, templates[request.LeadAgent].Budget);
    }

    private void Launch(AgentRunInfo run, ActiveRun active, Prepared prepared, IChatClient chatClient, IAsyncDisposable? lease, IReadOnlyList<AgentStep> earlier) =>
        _ = Task.Run(() => ExecuteAsync(run, prepared, chatClient, lease, earlier, active));

    private async Task ExecuteAsync(AgentRunInfo run, Prepared prepared, IChatClient chatClient, IAsyncDisposable? lease, IReadOnlyList<AgentStep> earlier, ActiveRun active)
    {
        long started = Stopwatch.GetTimestamp();
        using var wallClock = new CancellationTokenSource(TimeSpan.FromSeconds(prepared.Budget.MaxSeconds));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(active.Cancellation.Token, wallClock.Token);
        var execution = new AgentTurnExecution(run.Id, _store, prepared.Templates, prepared.Tools, chatClient, earlier, prepared.Budget.MaxTokens, _ => active.Signal());
        (AgentRunStatus status, string? answer, string? error) outcome;
        try
        {
            (string answer, string agent) = await AgentOrchestration.RunAsync(run.Request, execution.TurnAsync, stop.Token).ConfigureAwait(false);
            // The final step carries the turn its answer came from (the last one of that agent with that answer).
            int turn = _store.Steps(run.Id, 0).Where(s => s.Kind == AgentStepKind.Message && s.Agent == agent && s.Text == answer).Select(s => s.Turn).DefaultIfEmpty(0).Max();
            execution.Record(new AgentStep { Kind = AgentStepKind.Final, Agent = agent, Turn = turn, Text = answer, InputTokens = execution.InputTokens, OutputTokens = execution.OutputTokens });
            outcome = (AgentRunStatus.Completed, answer, null);
        }
        catch (Exception) when (_disposing)
        {
            // Stopping the host also stops the engine under the run, which may fail the call rather than cancel it.
            outcome = (AgentRunStatus.Interrupted, null, "The host stopped during the run.");
        }
        catch (OperationCanceledException) when (active.Cancellation.IsCancellationRequested)
        {
            outcome = (AgentRunStatus.Cancelled, null, "The run was cancelled.");
        }
        catch (OperationCanceledException) when (wallClock.IsCancellationRequested)
        {
            outcome = (AgentRunStatus.BudgetExceeded, null, $"The run took longer than its budget of {prepared.Budget.MaxSeconds} s (budget.maxSeconds).");
        }
        catch (AgentBudgetExceededException ex)
        {
            outcome = (AgentRunStatus.BudgetExceeded, null, ex.Message);
        }
        catch (Exception ex) when (_describeFailure?.Invoke(ex) is { } described)
        {
            _logger.LogWarning("Agent run {RunId} failed: {Reason}", run.Id, described);
            outcome = (AgentRunStatus.Failed, null, described);
        }
        catch (Exception ex)
        {
            // A failed run is an outcome the run stores and its client reads (a prompt over the context, a refused model
            // call), not a fault of the host: one warning line, and the stack only for debugging.
            _logger.LogWarning("Agent run {RunId} failed: {Error}", run.Id, ex.Message);
            _logger.LogDebug(ex, "Agent run {RunId} failed", run.Id);
            outcome = (AgentRunStatus.Failed, null, ex.Message);
        }

        AgentsTelemetry.RecordRun(AgentRunStore.Name(run.Request.Mode), AgentRunStore.Name(outcome.status), Stopwatch.GetElapsedTime(started));
        try
        {
            _store.SetStatus(run.Id, outcome.status, outcome.answer, outcome.error, execution.InputTokens, execution.OutputTokens);
        }
        finally
        {
            _active.TryRemove(run.Id, out _);
            AgentRunOwner.Stopped(run.Id);
            active.Signal();
            active.Done.TrySetResult();
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record Prepared(IReadOnlyDictionary<string, AgentTemplate> Templates, IReadOnlyDictionary<string, IReadOnlyList<AITool>> Tools, AgentBudget Budget);

    private sealed class ActiveRun
    {
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => Done.Task;

        public Task Changed => Volatile.Read(ref _changed).Task;

        public void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
