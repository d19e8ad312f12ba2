namespace OffGrid.Agents.Mcp;

/// <summary>A configured MCP server and how it is doing.</summary>
/// <param name="Name">The server's name.</param>
/// <param name="Kind">Whether it comes from <c>mcp.json</c> or a plugin.</param>
/// <param name="Transport">How it is reached.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Target">The command line (stdio) or the URL (HTTP), without environment values or headers.</param>
/// <param name="ToolCount">How many tools it offered when last listed; <see langword="null"/> before that.</param>
/// <param name="Restarts">How many times it was restarted after stopping (at most 1).</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="Description">The configured description.</param>
public sealed record McpServerStatus(
    string Name,
    ToolSetKind Kind,
    McpTransportKind Transport,
    McpServerState State,
    string Target,
    int? ToolCount,
    int Restarts,
    string? Error,
    string? Description);
