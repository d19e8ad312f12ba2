namespace OffGrid.Agents;

/// <summary>
/// A tool call was refused or failed in a way the model (and the user) should hear about: arguments that escape the
/// working folder or look like options, a host that is not allowed, a timeout, output over the cap, a failing MCP server.
/// Function invocation turns it into the call's result text, so the model can correct itself.
/// </summary>
public class ToolInvocationException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="toolName">The tool that was called.</param>
    /// <param name="message">What went wrong, for the model and the user.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public ToolInvocationException(string toolName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ToolName = toolName;
    }

    /// <summary>Gets the name of the tool that was called.</summary>
    public string ToolName { get; }
}
