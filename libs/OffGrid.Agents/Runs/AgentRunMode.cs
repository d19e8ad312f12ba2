namespace OffGrid.Agents.Runs;

/// <summary>How the agents of a run work together.</summary>
public enum AgentRunMode
{
    /// <summary>One agent answers.</summary>
    Single,

    /// <summary>A pipeline: each agent gets the task and the previous agent's answer; the last answer is final.</summary>
    Sequential,

    /// <summary>Fan-out and aggregate: every agent answers on its own, then the lead merges the answers.</summary>
    Parallel,

    /// <summary>The agents argue for <see cref="AgentRunRequest.Rounds"/> rounds, each seeing the debate so far; then the lead judges.</summary>
    Debate,

    /// <summary>
    /// Every agent answers; the answer most agents gave wins (compared case-, space- and end-punctuation-insensitively).
    /// Tie rule: among the tied answers, the one whose first giver comes first in <see cref="AgentRunRequest.Agents"/> wins.
    /// </summary>
    Voting,

    /// <summary>The lead splits the task into one subtask per worker (the other agents), the workers answer, the lead merges.</summary>
    Hierarchy,
}
