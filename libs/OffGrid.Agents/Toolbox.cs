using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OffGrid.Agents.Mcp;
using OffGrid.Agents.Plugins;
using OffGrid.Agents.Tools;

namespace OffGrid.Agents;

/// <summary>
/// Every tool OffGrid can hand a model, by name: MCP servers from <c>mcp.json</c> (all their tools), plugins (their MCP
/// server's tools) and custom shell and HTTP tools. <see cref="GetToolsAsync"/> turns names into <see cref="AITool"/>s for
/// <see cref="ChatOptions.Tools"/>; Microsoft.Extensions.AI's function invocation (<c>UseToolInvocation</c>) runs them.
/// </summary>
/// <remarks>Thread-safe. Disposing stops the MCP servers it started.</remarks>
public sealed class Toolbox : IAsyncDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates the toolbox over the folders and files <paramref name="options"/> names.</summary>
    /// <param name="options">Paths, timeouts and shell limits; validated first.</param>
    /// <param name="loggerFactory">Logs MCP server starts, restarts and failures.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public Toolbox(AgentOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        Options = options;
        Plugins = new PluginStore(options.PluginsDirectory);
        McpServers = new McpServers(options, Plugins, loggerFactory);
        Definitions = new ToolDefinitionStore(options.ToolsDirectory);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the settings.</summary>
    public AgentOptions Options { get; }

    /// <summary>Gets the MCP servers (mcp.json and enabled plugins).</summary>
    public McpServers McpServers { get; }

    /// <summary>Gets the custom tool definitions.</summary>
    public ToolDefinitionStore Definitions { get; }

    /// <summary>Gets the plugins.</summary>
    public PluginStore Plugins { get; }

    /// <summary>Lists every name <see cref="GetToolsAsync"/> accepts, MCP servers and plugins first, without starting anything.</summary>
    /// <returns>The names with their kind.</returns>
    /// <exception cref="ToolDefinitionException"><c>mcp.json</c> is invalid.</exception>
    public IReadOnlyList<ToolSetInfo> List() =>
    [
        .. McpServers.List().Select(s => new ToolSetInfo(s.Name, s.Kind, s.Description)),
        .. Definitions.List().Select(t => new ToolSetInfo(t.Name, t.Definition?.Kind ?? ToolSetKind.Shell, t.Definition?.Description, t.Error)),
    ];

    /// <summary>
    /// Finds the first of <paramref name="names"/> (as <see cref="GetToolsAsync"/> takes them) that names nothing configured,
    /// without starting anything: a name must be an MCP server, plugin or custom tool, and in <c>server/tool</c> the server
    /// must be one. Whether the server has that tool is known only once it runs, so that part is not checked.
    /// </summary>
    /// <param name="names">The tool names.</param>
    /// <returns>The first unknown name, or <see langword="null"/> when every name is known.</returns>
    /// <exception cref="ToolDefinitionException"><c>mcp.json</c> is invalid.</exception>
    public string? FindUnknown(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        HashSet<string> known = [.. List().Select(t => t.Name)];
        return names.Select(n => n.Trim()).FirstOrDefault(name => !known.Contains(name.IndexOf('/', StringComparison.Ordinal) is > 0 and int slash ? name[..slash] : name));
    }

    /// <summary>
    /// The tools of the named MCP servers, plugins and custom tools, starting servers as needed. Tools that need a person's
    /// approval are <see cref="ApprovalRequiredAIFunction"/>s.
    /// </summary>
    /// <param name="names">
    /// MCP server, plugin or custom tool names (an MCP server's name wins over a custom tool's), or <c>server/tool</c> for one
    /// tool of a server (a small model's context may not hold the descriptions of all of them).
    /// </param>
    /// <param name="cancellationToken">Stops starting servers.</param>
    /// <returns>The tools.</returns>
    /// <exception cref="ToolNotFoundException">A name is unknown.</exception>
    /// <exception cref="ToolDefinitionException">A definition is invalid, or two of the sets offer tools of the same name.</exception>
    /// <exception cref="McpServerException">An MCP server did not start.</exception>
    public async Task<IReadOnlyList<AITool>> GetToolsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var tools = new List<AITool>();
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<(string Name, ToolSetKind Kind, string? Description)> servers = McpServers.List();
        foreach (string name in names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
        {
            int slash = name.IndexOf('/', StringComparison.Ordinal);
            IEnumerable<AITool> set = slash > 0 ? [await GetServerToolAsync(name[..slash], name[(slash + 1)..], cancellationToken).ConfigureAwait(false)]
                : servers.Any(s => s.Name == name) ? await McpServers.GetToolsAsync(name, cancellationToken).ConfigureAwait(false)
                : [CreateTool(ResolveDefinition(name))];
            foreach (AITool tool in set)
            {
                if (!origin.TryAdd(tool.Name, name))
                {
                    throw new ToolDefinitionException($"Both '{origin[tool.Name]}' and '{name}' offer a tool named '{tool.Name}'; use one of them.", "tools");
                }

                tools.Add(tool);
            }
        }

        return tools;
    }

    /// <summary>One tool of an MCP server or plugin, starting it as needed.</summary>
    /// <param name="server">The server's name.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="cancellationToken">Stops starting the server.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="ToolNotFoundException">The server is unknown or has no such tool.</exception>
    /// <exception cref="McpServerException">The server did not start.</exception>
    public async Task<AIFunction> GetServerToolAsync(string server, string tool, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<AIFunction> tools = await McpServers.GetToolsAsync(server, cancellationToken).ConfigureAwait(false);
        return tools.FirstOrDefault(t => t.Name == tool)
            ?? throw new ToolNotFoundException(tool, $"MCP server '{server}' has no tool '{tool}'; it has {string.Join(", ", tools.Select(t => t.Name))}.");
    }

    /// <summary>Creates the function of a custom tool definition (saved or not), for a model or a test run.</summary>
    /// <param name="definition">The definition; validated first.</param>
    /// <returns>The function; an <see cref="ApprovalRequiredAIFunction"/> when the definition asks for approval.</returns>
    /// <exception cref="ToolDefinitionException">The definition is invalid.</exception>
    public AIFunction CreateTool(ToolDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        AIFunction function = definition.Kind == ToolSetKind.Shell ? new ShellTool(definition, Options.Shell, Options.WorkspaceDirectory) : new HttpTool(definition, _http);
        return definition.RequireApproval ? new ApprovalRequiredAIFunction(function) : function;
    }

    /// <summary>Stops the MCP servers this toolbox started.</summary>
    /// <returns>A task that completes when they are stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await McpServers.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private ToolDefinition ResolveDefinition(string name)
    {
        try
        {
            return Definitions.Get(name);
        }
        catch (ToolNotFoundException)
        {
            string known = string.Join(", ", List().Where(t => t.Error is null).Select(t => t.Name));
            throw new ToolNotFoundException(name, $"No MCP server, plugin or tool is named '{name}'." + (known.Length > 0 ? $" Available: {known}." : " None is configured."));
        }
    }
}
