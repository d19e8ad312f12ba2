namespace OffGrid.Agents.Catalog;

/// <summary>An MCP server package could not be installed: unknown, failed its integrity check, or its dependencies did not install.</summary>
public sealed class McpPackageException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What went wrong, naming the package.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public McpPackageException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
