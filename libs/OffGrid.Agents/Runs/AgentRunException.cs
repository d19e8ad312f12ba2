namespace OffGrid.Agents.Runs;

/// <summary>A run request is invalid, or the run cannot do what was asked in its state (resume a completed run, …).</summary>
public sealed class AgentRunException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">A message for the user naming the field or the state.</param>
    public AgentRunException(string message)
        : base(message)
    {
    }
}
