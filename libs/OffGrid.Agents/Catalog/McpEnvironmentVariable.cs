namespace OffGrid.Agents.Catalog;

/// <summary>An environment variable an MCP server reads.</summary>
public sealed class McpEnvironmentVariable
{
    /// <summary>Gets or sets the variable's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets what it is for.</summary>
    public string? Description { get; set; }
}
