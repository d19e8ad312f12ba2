namespace OffGrid.Agents;

/// <summary>The base of OffGrid.Agents' own exceptions, so that a host can tell a tool problem from a bug.</summary>
public abstract class AgentException : Exception
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">A message for the user.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    protected AgentException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
