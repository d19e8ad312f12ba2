namespace OffGrid.Agents.Runs;

/// <summary>A run spent its budget; the run ends <see cref="AgentRunStatus.BudgetExceeded"/> with this message.</summary>
internal sealed class AgentBudgetExceededException(string message) : Exception(message);
