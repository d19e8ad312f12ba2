namespace OffGrid.Agents.Runs;

/// <summary>What to run: a task, the agents (template names) and how they work together.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record AgentRunRequest
{
    /// <summary>The most characters <see cref="Task"/> may hold (256 Ki): every agent's prompt holds it, and run listings show it.</summary>
    public const int MaxTaskLength = 256 * 1024;

    /// <summary>The most agents a run may name (<see cref="Agents"/>, the same template more than once counting each time).</summary>
    public const int MaxAgents = 16;

    /// <summary>Gets the task, in the user's words, at most <see cref="MaxTaskLength"/> characters.</summary>
    public required string Task { get; init; }

    /// <summary>
    /// Gets the agents' template names, in order, at most <see cref="MaxAgents"/>; <see cref="AgentRunMode.Single"/> takes exactly
    /// one. A template may appear more than once: each appearance is an agent of its own (independent answers to vote on or
    /// merge, or a template debating itself).
    /// </summary>
    public required IReadOnlyList<string> Agents { get; init; }

    /// <summary>Gets how the agents work together.</summary>
    public AgentRunMode Mode { get; init; }

    /// <summary>Gets the agent that aggregates (parallel), judges (debate) or plans and merges (hierarchy); defaults to the first agent.</summary>
    public string? Lead { get; init; }

    /// <summary>Gets the debate's rounds, 1 to 10.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>Gets the most tokens one model call may write, over every template's own; <see langword="null"/> keeps the templates' (see <see cref="DefaultMaxOutputTokens"/>).</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>
    /// Gets the most tokens one model call of this run writes when neither <see cref="MaxOutputTokens"/> nor the agent's
    /// template sets it: 1,024 divided by the answers the lead reads (the agents, times the rounds of a debate), between 64
    /// and 512. An agent left to the model's default writes until the context is full, and the lead's merge prompt, which
    /// holds every answer, would then overflow; so the answers a lead merges take about 1,024 tokens together.
    /// </summary>
    public int DefaultMaxOutputTokens => Math.Clamp(1024 / Math.Max(1, (Agents?.Count ?? 1) * (Mode == AgentRunMode.Debate ? Math.Max(1, Rounds) : 1)), 64, 512);

    /// <summary>Gets the model to run on; <see langword="null"/> for the host's default.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// Gets the user the run belongs to: the host sets it from the authenticated caller (never from the client's body), and in
    /// multi-user mode only that user and administrators see and control the run; <see langword="null"/> for runs of an
    /// embedded app or the CLI.
    /// </summary>
    public string? User { get; init; }

    /// <summary>Gets the lead agent (<see cref="Lead"/> or the first agent).</summary>
    public string LeadAgent => Lead ?? Agents[0];

    /// <summary>Lists what is wrong with the request, each message naming the field as stored (<c>agents</c>, <c>maxOutputTokens</c>).</summary>
    /// <returns>One message per invalid field; empty when the request is usable.</returns>
    public IReadOnlyList<string> Validate() =>
        [.. Validate(name => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name)).Select(p => p.Value)];

    /// <summary>Lists what is wrong with the request in the caller's own field names.</summary>
    /// <param name="fieldName">
    /// Maps a property name (<c>Task</c>, <c>Agents</c>, <c>Mode</c>, <c>MaxOutputTokens</c>, <c>Rounds</c>) to the name the
    /// caller's user knows, e.g. <c>max_tokens</c> over HTTP or <c>--max-tokens</c> in a CLI.
    /// </param>
    /// <returns>One entry per problem: the invalid field (in the caller's names) and a message naming it; empty when the request is usable.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> Validate(Func<string, string> fieldName)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        string agents = fieldName(nameof(Agents)), mode = fieldName(nameof(Mode));
        var problems = new List<KeyValuePair<string, string>>();
        void Add(string field, string message) => problems.Add(new(field, message));
        if (string.IsNullOrWhiteSpace(Task))
        {
            Add(fieldName(nameof(Task)), $"{fieldName(nameof(Task))} must not be empty.");
        }
        else if (Task.Length > MaxTaskLength)
        {
            Add(fieldName(nameof(Task)), $"{fieldName(nameof(Task))} must be at most {MaxTaskLength} characters; it is {Task.Length}.");
        }

        string modeName = AgentRunStore.Name(Mode);
        if (Agents is null || Agents.Count == 0 || Agents.Any(string.IsNullOrWhiteSpace))
        {
            Add(agents, $"{agents} must name at least one agent template.");
        }
        else if (Agents.Count > MaxAgents)
        {
            Add(agents, $"{agents} must name at most {MaxAgents} agents; it names {Agents.Count}.");
        }
        else if (Mode == AgentRunMode.Single && Agents.Count != 1)
        {
            Add(agents, $"{agents} names a team of {Agents.Count}; pass {mode} too (sequential, parallel, debate, voting or hierarchy), or one agent alone.");
        }
        else if (Mode is AgentRunMode.Debate or AgentRunMode.Voting && Agents.Count < 2)
        {
            Add(agents, $"{agents} must name at least two agents for {mode} '{modeName}'.");
        }

        if (MaxOutputTokens is < 1)
        {
            Add(fieldName(nameof(MaxOutputTokens)), $"{fieldName(nameof(MaxOutputTokens))} must be at least 1.");
        }

        if (Rounds is < 1 or > 10)
        {
            Add(fieldName(nameof(Rounds)), $"{fieldName(nameof(Rounds))} must be between 1 and 10.");
        }

        return problems;
    }
}
