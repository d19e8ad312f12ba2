using System.Text;
using System.Text.RegularExpressions;
using OffGrid.Agents.Runs;

namespace OffGrid.Agents.Orchestration;

/// <summary>
/// The multi-agent modes as sequences of numbered turns. Each mode numbers its turns the same way every time (parallel turns
/// take their numbers before they start), which is what lets a resumed run replay the turns that finished.
/// </summary>
/// <remarks>
/// Written here rather than with Agent Framework workflows: the workflows' checkpoints restore executor state within one
/// process, while a run here must come back after the process was killed, from turns stored in SQLite; and debate, voting
/// and planner-driven hierarchy have no workflow in the framework. Stateless; safe to use from any thread.
/// </remarks>
internal static partial class AgentOrchestration
{
    /// <summary>Runs <paramref name="request"/>'s mode, returning the final answer and the agent who gave it.</summary>
    public static Task<(string Answer, string Agent)> RunAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken) => request.Mode switch
    {
        AgentRunMode.Single => SingleAsync(request, turn, cancellationToken),
        AgentRunMode.Sequential => SequentialAsync(request, turn, cancellationToken),
        AgentRunMode.Parallel => ParallelAsync(request, turn, cancellationToken),
        AgentRunMode.Debate => DebateAsync(request, turn, cancellationToken),
        AgentRunMode.Voting => VotingAsync(request, turn, cancellationToken),
        AgentRunMode.Hierarchy => HierarchyAsync(request, turn, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Mode, "Unknown mode."),
    };

    /// <summary>
    /// Picks the majority answer: answers compare equal after <see cref="Normalize"/>; among tied answers the one whose first
    /// giver is earliest in <paramref name="answers"/> wins.
    /// </summary>
    public static (string Answer, string Agent, int Votes) Tally(IReadOnlyList<(string Agent, string Answer)> answers) =>
        answers.Select((a, index) => (a.Agent, a.Answer, Index: index, Key: Normalize(a.Answer)))
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .Select(g => (g.First().Answer, g.First().Agent, Votes: g.Count(), First: g.Min(a => a.Index)))
            .OrderByDescending(g => g.Votes).ThenBy(g => g.First)
            .Select(g => (g.Answer, g.Agent, g.Votes))
            .First();

    /// <summary>Lower-case, single spaces, no punctuation at either end: "Paris." and " paris" are the same vote.</summary>
    public static string Normalize(string answer) =>
        Spaces().Replace(answer.Trim().ToLowerInvariant(), " ").Trim(' ', '.', '!', '?', ',', ';', ':', '"', '\'');

    /// <summary>The subtasks in a planner's answer: its non-empty lines without list markers.</summary>
    public static IReadOnlyList<string> Subtasks(string plan) =>
        [.. plan.Split('\n').Select(l => ListMarker().Replace(l, "").Trim()).Where(l => l.Length > 0)];

    private static async Task<(string, string)> SingleAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken) =>
        (await turn(0, request.Agents[0], request.Task, cancellationToken).ConfigureAwait(false), request.Agents[0]);

    private static async Task<(string, string)> SequentialAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken)
    {
        string answer = await turn(0, request.Agents[0], request.Task, cancellationToken).ConfigureAwait(false);
        for (int i = 1; i < request.Agents.Count; i++)
        {
            answer = await turn(i, request.Agents[i], $"Task: {request.Task}\n\nThe previous agent ({request.Agents[i - 1]}) answered:\n{answer}\n\nImprove or continue that answer.", cancellationToken).ConfigureAwait(false);
        }

        return (answer, request.Agents[^1]);
    }

    private static async Task<(string, string)> ParallelAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken)
    {
        string[] answers = await Task.WhenAll(request.Agents.Select((agent, i) => turn(i, agent, request.Task, cancellationToken))).ConfigureAwait(false);
        string merged = await turn(request.Agents.Count, request.LeadAgent, $"Task: {request.Task}\n\n{Quote(request.Agents, answers)}\nCombine these answers into one best answer.", cancellationToken).ConfigureAwait(false);
        return (merged, request.LeadAgent);
    }

    private static async Task<(string, string)> DebateAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken)
    {
        var debate = new StringBuilder();
        int next = 0;
        for (int round = 1; round <= request.Rounds; round++)
        {
            foreach (string agent in request.Agents)
            {
                string prompt = $"Task: {request.Task}\n\nDebate round {round} of {request.Rounds}." + (debate.Length == 0 ? " Give your answer and argue for it." : $" The debate so far:\n{debate}\nAnswer the other arguments and give your answer.");
                string said = await turn(next++, agent, prompt, cancellationToken).ConfigureAwait(false);
                debate.Append('[').Append(agent).Append("]: ").Append(said).Append('\n');
            }
        }

        string verdict = await turn(next, request.LeadAgent, $"Task: {request.Task}\n\nYou are the judge. The debate:\n{debate}\nDecide which argument is right and give the final answer.", cancellationToken).ConfigureAwait(false);
        return (verdict, request.LeadAgent);
    }

    private static async Task<(string, string)> VotingAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken)
    {
        string[] answers = await Task.WhenAll(request.Agents.Select((agent, i) => turn(i, agent, $"{request.Task}\n\nAnswer with the answer only.", cancellationToken))).ConfigureAwait(false);
        (string answer, string agent, _) = Tally([.. request.Agents.Zip(answers)]);
        return (answer, agent);
    }

    private static async Task<(string, string)> HierarchyAsync(AgentRunRequest request, AgentTurn turn, CancellationToken cancellationToken)
    {
        string planner = request.LeadAgent;
        string[] workers = request.Agents.Where(a => a != planner).ToArray() is { Length: > 0 } others ? others : [planner];
        string plan = await turn(0, planner, $"Task: {request.Task}\n\nSplit this task into at most {workers.Length} independent subtasks, one per line, nothing else.", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> subtasks = Subtasks(plan).Take(workers.Length).ToList();
        // Every worker works: one the plan names no subtask for takes the whole task, and its prompt says so.
        string[] prompts = [.. workers.Select((_, i) => i < subtasks.Count
            ? $"Overall task: {request.Task}\n\nYour subtask: {subtasks[i]}"
            : $"Overall task: {request.Task}\n\nThe plan named {subtasks.Count} subtask(s) for {workers.Length} workers; you have none of them, so do the whole task your way.")];
        string[] results = await Task.WhenAll(workers.Select((worker, i) => turn(1 + i, worker, prompts[i], cancellationToken))).ConfigureAwait(false);
        string merged = await turn(1 + workers.Length, planner, $"Task: {request.Task}\n\n{Quote(workers, results)}\nMerge the workers' results into the final answer.", cancellationToken).ConfigureAwait(false);
        return (merged, planner);
    }

    private static string Quote(IEnumerable<string> agents, IEnumerable<string> answers) =>
        string.Concat(agents.Zip(answers, (agent, answer) => $"[{agent}]: {answer}\n"));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^\s*(?:[-*•]|\d+[.)])\s*")]
    private static partial Regex ListMarker();
}
