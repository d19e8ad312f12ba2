using OffGrid.Hub;

namespace OffGrid.Agents;

/// <summary>
/// Where OffGrid finds tools and how long they may run: MCP servers (<c>mcp.json</c>), custom shell and HTTP tools
/// (<c>tools/</c>), plugins (<c>plugins/</c>) and installed MCP packages (<c>mcp/</c>), all under <see cref="OffGridHome"/> by default.
/// </summary>
/// <remarks>Configure once before the <see cref="Toolbox"/> is created; it is read, never mutated, afterwards and is then safe to share between threads.</remarks>
public sealed class AgentOptions
{
    /// <summary>Gets or sets the MCP configuration file (the common <c>{"mcpServers":{…}}</c> shape). Defaults to <c>$OFFGRID_HOME/mcp.json</c>.</summary>
    public string McpConfigPath { get; set; } = OffGridHome.Combine("mcp.json");

    /// <summary>Gets or sets the folder of custom tool definitions (one <c>.json</c> file per tool). Defaults to <c>$OFFGRID_HOME/tools</c>.</summary>
    public string ToolsDirectory { get; set; } = OffGridHome.Combine("tools");

    /// <summary>Gets or sets the folder of plugins (one folder per plugin, each with an <c>offgrid-plugin.json</c>). Defaults to <c>$OFFGRID_HOME/plugins</c>.</summary>
    public string PluginsDirectory { get; set; } = OffGridHome.Combine("plugins");

    /// <summary>Gets or sets the folder MCP server packages are installed into. Defaults to <c>$OFFGRID_HOME/mcp</c>.</summary>
    public string McpPackagesDirectory { get; set; } = OffGridHome.Combine("mcp");

    /// <summary>
    /// Gets or sets a catalog file that replaces the catalog shipped with OffGrid (written by a catalog refresh).
    /// Defaults to <c>$OFFGRID_HOME/mcp-catalog.json</c>; the shipped catalog is used while it does not exist.
    /// </summary>
    public string CatalogPath { get; set; } = OffGridHome.Combine("mcp-catalog.json");

    /// <summary>Gets or sets the npm registry MCP packages are downloaded from; <see langword="null"/> uses the machine's npm configuration.</summary>
    public Uri? NpmRegistry { get; set; }

    /// <summary>Gets or sets how long an MCP server may take to start and complete its handshake.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long one tool call may run unless the server or tool sets its own timeout.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how many rounds of tool calls one request may make before the model must answer without tools
    /// (Microsoft.Extensions.AI's <c>MaximumIterationsPerRequest</c> where OffGrid sets up function invocation).
    /// </summary>
    public int MaxToolRounds { get; set; } = 10;

    /// <summary>Gets the settings every shell tool runs under.</summary>
    public ShellToolOptions Shell { get; } = new();

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach ((string name, string value) in new[] { (nameof(McpConfigPath), McpConfigPath), (nameof(ToolsDirectory), ToolsDirectory), (nameof(PluginsDirectory), PluginsDirectory), (nameof(McpPackagesDirectory), McpPackagesDirectory), (nameof(CatalogPath), CatalogPath) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{name} must name a path.");
            }
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(StartTimeout)} must be positive.");
        }

        if (CallTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(CallTimeout)} must be positive.");
        }

        if (MaxToolRounds < 1)
        {
            errors.Add($"{nameof(MaxToolRounds)} must be at least 1.");
        }

        if (NpmRegistry is { } registry && (!registry.IsAbsoluteUri || registry.Scheme is not ("http" or "https")))
        {
            errors.Add($"{nameof(NpmRegistry)} must be an absolute http or https address.");
        }

        errors.AddRange(Shell.Validate());
        return errors;
    }
}
