using OffGrid.Hub;

namespace OffGrid.Agents;

/// <summary>
/// Where OffGrid finds tools and how long they may run: MCP servers (<c>mcp.json</c>), custom shell and HTTP tools
/// (<c>tools/</c>), plugins (<c>plugins/</c>) and installed MCP packages (<c>mcp/</c>), all under <see cref="OffGridHome"/> by default.
/// </summary>
/// <remarks>Configure once before the <see cref="Toolbox"/> is created; it is read, never mutated, afterwards and is then safe to share between threads.</remarks>
public sealed class AgentOptions
{
    private string? _mcpConfigPath;
    private string? _toolsDirectory;
    private string? _pluginsDirectory;
    private string? _mcpPackagesDirectory;
    private string? _catalogPath;
    private string? _agentsDirectory;
    private string? _agentsDatabasePath;

    /// <summary>
    /// Gets or sets the folder the other paths default to: <see cref="OffGridHome.Directory"/> (<c>$OFFGRID_HOME</c>, else
    /// <c>~/.offgrid</c>). A server sets it to the Hub's home folder, so models and tools live side by side.
    /// </summary>
    public string HomeDirectory { get; set; } = OffGridHome.Directory;

    /// <summary>Gets or sets the MCP configuration file (the common <c>{"mcpServers":{…}}</c> shape). Defaults to <c>mcp.json</c> under <see cref="HomeDirectory"/>.</summary>
    public string McpConfigPath { get => _mcpConfigPath ?? Path.Combine(HomeDirectory, "mcp.json"); set => _mcpConfigPath = value; }

    /// <summary>Gets or sets the folder of custom tool definitions (one <c>.json</c> file per tool). Defaults to <c>tools</c> under <see cref="HomeDirectory"/>.</summary>
    public string ToolsDirectory { get => _toolsDirectory ?? Path.Combine(HomeDirectory, "tools"); set => _toolsDirectory = value; }

    /// <summary>Gets or sets the folder of plugins (one folder per plugin, each with an <c>offgrid-plugin.json</c>). Defaults to <c>plugins</c> under <see cref="HomeDirectory"/>.</summary>
    public string PluginsDirectory { get => _pluginsDirectory ?? Path.Combine(HomeDirectory, "plugins"); set => _pluginsDirectory = value; }

    /// <summary>Gets or sets the folder MCP server packages are installed into. Defaults to <c>mcp</c> under <see cref="HomeDirectory"/>.</summary>
    public string McpPackagesDirectory { get => _mcpPackagesDirectory ?? Path.Combine(HomeDirectory, "mcp"); set => _mcpPackagesDirectory = value; }

    /// <summary>
    /// Gets or sets a catalog file that replaces the catalog shipped with OffGrid (written by a catalog refresh).
    /// Defaults to <c>mcp-catalog.json</c> under <see cref="HomeDirectory"/>; the shipped catalog is used while it does not exist.
    /// </summary>
    public string CatalogPath { get => _catalogPath ?? Path.Combine(HomeDirectory, "mcp-catalog.json"); set => _catalogPath = value; }

    /// <summary>Gets or sets the folder of user agent templates (one <c>&lt;name&gt;.json</c> file each). Defaults to <c>agents</c> under <see cref="HomeDirectory"/>.</summary>
    public string AgentsDirectory { get => _agentsDirectory ?? Path.Combine(HomeDirectory, "agents"); set => _agentsDirectory = value; }

    /// <summary>Gets or sets the SQLite database of agent runs, transcripts and long-term memory. Defaults to <c>agents.db</c> under <see cref="HomeDirectory"/>.</summary>
    public string AgentsDatabasePath { get => _agentsDatabasePath ?? Path.Combine(HomeDirectory, "agents.db"); set => _agentsDatabasePath = value; }

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

    /// <summary>
    /// Gets or sets how the host words a run failure its user can fix (for example a prompt over the context window, naming the
    /// host's context-size setting): it returns the message the run stores, or <see langword="null"/> to keep the exception's
    /// message. Either way the failure is logged as one warning line. Called on the run's thread; must not throw.
    /// </summary>
    public Func<Exception, string?>? DescribeFailure { get; set; }

    /// <summary>Gets the settings every shell tool runs under.</summary>
    public ShellToolOptions Shell { get; } = new();

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach ((string name, string value) in new[] { (nameof(HomeDirectory), HomeDirectory), (nameof(McpConfigPath), McpConfigPath), (nameof(ToolsDirectory), ToolsDirectory), (nameof(PluginsDirectory), PluginsDirectory), (nameof(McpPackagesDirectory), McpPackagesDirectory), (nameof(CatalogPath), CatalogPath), (nameof(AgentsDirectory), AgentsDirectory), (nameof(AgentsDatabasePath), AgentsDatabasePath) })
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

    /// <summary>The folder shell tools run in when their definition names none.</summary>
    internal string WorkspaceDirectory => Shell.WorkspaceDirectory ?? Path.Combine(HomeDirectory, "workspace");
}
