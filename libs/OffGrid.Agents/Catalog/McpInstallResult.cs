using OffGrid.Agents.Mcp;
using OffGrid.Hub.Downloads;

namespace OffGrid.Agents.Catalog;

/// <summary>An installed MCP server.</summary>
/// <param name="Name">Its name in <c>mcp.json</c>.</param>
/// <param name="Package">The package and version installed, with the integrity it was verified against.</param>
/// <param name="Directory">The package's folder under <see cref="AgentOptions.McpPackagesDirectory"/>.</param>
/// <param name="Config">The entry written to <c>mcp.json</c>.</param>
/// <param name="MissingEnv">Required environment variables that are not set now; the server needs them when it starts.</param>
public sealed record McpInstallResult(string Name, NpmPackage Package, string Directory, McpServerConfig Config, IReadOnlyList<string> MissingEnv);
