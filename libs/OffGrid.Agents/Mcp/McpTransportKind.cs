namespace OffGrid.Agents.Mcp;

/// <summary>How OffGrid talks to an MCP server.</summary>
public enum McpTransportKind
{
    /// <summary>OffGrid starts the server as a process and speaks JSON-RPC over its standard input and output.</summary>
    Stdio,

    /// <summary>The server runs elsewhere and is reached over Streamable HTTP at a URL.</summary>
    Http,
}
