namespace OffGrid.Agents.Runs;

/// <summary>A turn cannot give an answer for a reason the user can fix (the message says how); the run ends failed without a stack trace in the log.</summary>
internal sealed class AgentTurnFailedException(string message) : Exception(message);
