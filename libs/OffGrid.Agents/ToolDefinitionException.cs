namespace OffGrid.Agents;

/// <summary>A tool definition, MCP server entry, plugin manifest or catalog is invalid; the message names the field at fault.</summary>
public sealed class ToolDefinitionException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What is wrong, naming the field.</param>
    /// <param name="field">The field at fault (for example <c>shell.command[0]</c>), when one is.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public ToolDefinitionException(string message, string? field = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Field = field;
    }

    /// <summary>Gets the field at fault, when one is.</summary>
    public string? Field { get; }
}
