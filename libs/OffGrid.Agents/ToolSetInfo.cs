namespace OffGrid.Agents;

/// <summary>A name that <see cref="Toolbox.GetToolsAsync"/> accepts: an MCP server, a plugin or a custom tool.</summary>
/// <param name="Name">The name.</param>
/// <param name="Kind">Where its tools come from.</param>
/// <param name="Description">What it offers, when described.</param>
/// <param name="Error">Why it cannot be used (an invalid definition), when it cannot.</param>
public sealed record ToolSetInfo(string Name, ToolSetKind Kind, string? Description, string? Error = null);
