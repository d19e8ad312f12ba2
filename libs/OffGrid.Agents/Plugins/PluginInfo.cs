namespace OffGrid.Agents.Plugins;

/// <summary>An installed plugin.</summary>
/// <param name="Name">The plugin's name (its folder's name).</param>
/// <param name="Version">Its version, when the manifest gives one.</param>
/// <param name="Description">What it does.</param>
/// <param name="Enabled">Whether its MCP server is offered.</param>
/// <param name="Directory">Its folder.</param>
/// <param name="Error">Why it cannot be used (an invalid manifest), when it cannot.</param>
public sealed record PluginInfo(string Name, string? Version, string? Description, bool Enabled, string Directory, string? Error);
