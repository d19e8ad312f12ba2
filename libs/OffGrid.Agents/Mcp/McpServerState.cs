namespace OffGrid.Agents.Mcp;

/// <summary>Where a configured MCP server stands.</summary>
public enum McpServerState
{
    /// <summary>Configured, not started yet (servers start on first use).</summary>
    Idle,

    /// <summary>Connected and answering.</summary>
    Running,

    /// <summary>Did not start, or stopped again after its one restart; see <see cref="McpServerStatus.Error"/>.</summary>
    Failed,

    /// <summary>Marked <c>disabled</c> in <c>mcp.json</c>, or a disabled plugin.</summary>
    Disabled,
}
