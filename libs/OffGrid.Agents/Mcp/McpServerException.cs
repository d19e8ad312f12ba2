namespace OffGrid.Agents.Mcp;

/// <summary>An MCP server did not start, stopped and could not be restarted, or failed a request; the message names it.</summary>
public sealed class McpServerException : ToolInvocationException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="serverName">The server's name in <c>mcp.json</c>.</param>
    /// <param name="message">What happened, naming the server.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public McpServerException(string serverName, string message, Exception? innerException = null)
        : base(serverName, message, innerException)
    {
    }

    /// <summary>Gets the server's name in <c>mcp.json</c>.</summary>
    public string ServerName => ToolName;
}
