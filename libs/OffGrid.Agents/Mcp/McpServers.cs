using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OffGrid.Agents.Plugins;

namespace OffGrid.Agents.Mcp;

/// <summary>
/// The MCP servers OffGrid may use: every entry of <c>mcp.json</c> and the MCP server of every enabled plugin (an
/// <c>mcp.json</c> entry wins over a plugin of the same name). Configuration is read again on every call, so servers added,
/// changed or removed while OffGrid runs take effect at once. Servers start on first use and are stopped on dispose.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class McpServers : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ConcurrentDictionary<string, McpServerConnection> _connections = new(StringComparer.Ordinal);

    /// <summary>Creates the set over the files <paramref name="options"/> names.</summary>
    /// <param name="options">Where <c>mcp.json</c> and the plugins are, and the timeouts.</param>
    /// <param name="plugins">The plugins folder.</param>
    /// <param name="loggerFactory">Logs starts, restarts and failures; servers' standard error at debug level.</param>
    public McpServers(AgentOptions options, PluginStore plugins, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plugins);
        _options = options;
        Plugins = plugins;
        _loggerFactory = loggerFactory;
        ConfigFile = new McpConfigFile(options.McpConfigPath);
    }

    /// <summary>Gets the <c>mcp.json</c> file.</summary>
    public McpConfigFile ConfigFile { get; }

    /// <summary>Gets the plugins folder.</summary>
    public PluginStore Plugins { get; }

    /// <summary>Lists every configured server with its state, without starting any.</summary>
    /// <returns>The servers, <c>mcp.json</c> entries first, in file order.</returns>
    /// <exception cref="ToolDefinitionException"><c>mcp.json</c> is invalid.</exception>
    public IReadOnlyList<McpServerStatus> GetStatus()
    {
        Dictionary<string, (ToolSetKind Kind, McpServerConfig Config)> configured = ReadConfiguration();
        foreach (string gone in _connections.Keys.Where(n => !configured.ContainsKey(n)))
        {
            if (_connections.TryRemove(gone, out McpServerConnection? connection))
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }

        return [.. configured.Select(c => Connection(c.Key, c.Value.Kind, c.Value.Config).Status)];
    }

    /// <summary>Gets the names of the configured servers that are not disabled.</summary>
    /// <returns>The names with where each comes from.</returns>
    public IReadOnlyList<(string Name, ToolSetKind Kind, string? Description)> List() =>
        [.. ReadConfiguration().Where(c => !c.Value.Config.Disabled).Select(c => (c.Key, c.Value.Kind, c.Value.Config.Description))];

    /// <summary>Starts the server <paramref name="name"/> if needed and returns its tools as functions.</summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops the start or the listing.</param>
    /// <returns>
    /// The tools; each call goes through OffGrid's session with its timeout and restart. Tools that need approval are
    /// <see cref="ApprovalRequiredAIFunction"/>s.
    /// </returns>
    /// <exception cref="ToolNotFoundException">No enabled server has that name.</exception>
    /// <exception cref="McpServerException">The server did not start or could not list its tools.</exception>
    public Task<IReadOnlyList<AIFunction>> GetToolsAsync(string name, CancellationToken cancellationToken = default) =>
        Find(name).GetToolsAsync(cancellationToken);

    /// <summary>Starts the server <paramref name="name"/> if needed and lists its tools, prompts and resources.</summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops the start or the listing.</param>
    /// <returns>What the server offers.</returns>
    /// <exception cref="ToolNotFoundException">No enabled server has that name.</exception>
    /// <exception cref="McpServerException">The server did not start or did not answer.</exception>
    public Task<McpServerDescription> DescribeAsync(string name, CancellationToken cancellationToken = default) =>
        Find(name).DescribeAsync(cancellationToken);

    /// <summary>Stops every server OffGrid started.</summary>
    /// <returns>A task that completes when they are stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (McpServerConnection connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
    }

    private McpServerConnection Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Dictionary<string, (ToolSetKind Kind, McpServerConfig Config)> configured = ReadConfiguration();
        if (!configured.TryGetValue(name, out (ToolSetKind Kind, McpServerConfig Config) entry) || entry.Config.Disabled)
        {
            string known = string.Join(", ", configured.Where(c => !c.Value.Config.Disabled).Select(c => c.Key));
            throw new ToolNotFoundException(name, (entry.Config?.Disabled == true ? $"MCP server '{name}' is disabled." : $"No MCP server is named '{name}'.")
                + (known.Length > 0 ? $" Configured: {known}." : $" None is configured in {ConfigFile.Path}."));
        }

        return Connection(name, entry.Kind, entry.Config);
    }

    private McpServerConnection Connection(string name, ToolSetKind kind, McpServerConfig config)
    {
        string fingerprint = config.Fingerprint();
        while (true)
        {
            McpServerConnection connection = _connections.GetOrAdd(name, n => new McpServerConnection(n, kind, config, _options, _loggerFactory));
            if (connection.Fingerprint == fingerprint)
            {
                return connection;
            }

            // The entry changed since the server started: the next use starts it with the new settings.
            if (_connections.TryRemove(new KeyValuePair<string, McpServerConnection>(name, connection)))
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }
    }

    private Dictionary<string, (ToolSetKind Kind, McpServerConfig Config)> ReadConfiguration()
    {
        var servers = new Dictionary<string, (ToolSetKind, McpServerConfig)>(StringComparer.Ordinal);
        foreach ((string name, McpServerConfig config) in ConfigFile.Read())
        {
            servers[name] = (ToolSetKind.Mcp, config);
        }

        foreach ((string name, McpServerConfig config) in Plugins.EnabledServers())
        {
            servers.TryAdd(name, (ToolSetKind.Plugin, config));
        }

        return servers;
    }
}
