namespace OffGrid.Agents.Runs;

/// <summary>A run is executed by another live process, so this one cannot cancel or resume it (HTTP 409).</summary>
public sealed class AgentRunConflictException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">A message for the user naming the run and the process that executes it.</param>
    public AgentRunConflictException(string message)
        : base(message)
    {
    }
}
