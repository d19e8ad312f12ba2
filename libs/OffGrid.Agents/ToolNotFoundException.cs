namespace OffGrid.Agents;

/// <summary>No tool, MCP server or plugin has the name asked for.</summary>
public sealed class ToolNotFoundException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="message">A message for the user that says what names exist.</param>
    public ToolNotFoundException(string name, string message)
        : base(message)
    {
        Name = name;
    }

    /// <summary>Gets the unknown name.</summary>
    public string Name { get; }
}
