namespace OffGrid.Agents.Templates;

/// <summary>A template is invalid (a file or a request names the bad field), or cannot be changed (a built-in one).</summary>
public sealed class AgentTemplateException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">A message for the user naming the file or template and the field.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public AgentTemplateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
