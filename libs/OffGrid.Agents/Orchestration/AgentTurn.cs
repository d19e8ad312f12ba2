namespace OffGrid.Agents.Orchestration;

/// <summary>Has an agent answer a prompt as a numbered turn, returning its answer.</summary>
/// <param name="turn">The turn's number; the same on every run of the same request, so a resumed run can replay it.</param>
/// <param name="agent">The agent's template name.</param>
/// <param name="prompt">What the agent is asked.</param>
/// <param name="cancellationToken">Stops the turn.</param>
internal delegate Task<string> AgentTurn(int turn, string agent, string prompt, CancellationToken cancellationToken);
