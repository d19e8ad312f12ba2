namespace OffGrid.Agents;

/// <summary>Where a named set of tools comes from.</summary>
public enum ToolSetKind
{
    /// <summary>An MCP server configured in <c>mcp.json</c> (all of its tools).</summary>
    Mcp,

    /// <summary>A plugin: a folder whose manifest declares an MCP stdio server.</summary>
    Plugin,

    /// <summary>A custom tool that runs a program with an argument template.</summary>
    Shell,

    /// <summary>A custom tool that sends an HTTP request.</summary>
    Http,
}
