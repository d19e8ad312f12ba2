using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.Agents.Mcp;

namespace OffGrid.Agents.Plugins;

/// <summary>
/// A plugin's <c>offgrid-plugin.json</c>: a name, a version, a description and the MCP stdio server the plugin runs
/// (any language: <c>node server.js</c>, <c>python -m tool</c>, <c>./server.sh</c>, <c>dotnet Tool.dll</c>). The server starts
/// in the plugin's folder; a relative <c>command</c> such as <c>./server.sh</c> is found there too.
/// </summary>
public sealed partial class PluginManifest
{
    /// <summary>The manifest's file name inside a plugin folder.</summary>
    public const string FileName = "offgrid-plugin.json";

    /// <summary>Gets or sets the plugin's name, which is also the name of its MCP server.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the plugin's version.</summary>
    public string? Version { get; set; }

    /// <summary>Gets or sets what the plugin does.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the MCP server the plugin runs (stdio only: <c>command</c>, <c>args</c>, <c>env</c>, <c>timeout</c>, <c>requireApproval</c>).</summary>
    public McpServerConfig? McpServer { get; set; }

    /// <summary>Reads and checks the manifest of the plugin in <paramref name="folder"/>.</summary>
    /// <param name="folder">The plugin's folder.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ToolDefinitionException">The manifest is missing or invalid.</exception>
    public static PluginManifest Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new ToolDefinitionException($"'{folder}' is not a plugin: it has no {FileName}.");
        }

        PluginManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<PluginManifest>(File.ReadAllText(path), McpConfigFile.JsonOptions) ?? throw new JsonException("The manifest is null.");
        }
        catch (JsonException ex)
        {
            throw new ToolDefinitionException($"{path} is not a valid plugin manifest: {ex.Message}", innerException: ex);
        }

        manifest.Validate(path);
        return manifest;
    }

    /// <summary>The server entry with its folder filled in: the server runs in the plugin's folder.</summary>
    internal McpServerConfig ServerIn(string folder)
    {
        McpServerConfig server = McpServer!;
        string command = server.Command!;
        bool relative = !Path.IsPathRooted(command) && command.Contains('/', StringComparison.Ordinal);
        return new McpServerConfig
        {
            Command = relative ? Path.GetFullPath(Path.Combine(folder, command)) : command,
            Args = server.Args,
            Env = server.Env,
            Cwd = folder,
            Timeout = server.Timeout,
            RequireApproval = server.RequireApproval,
            Description = Description,
        };
    }

    private void Validate(string path)
    {
        if (Name is null || !PluginName().IsMatch(Name))
        {
            throw new ToolDefinitionException($"{path}: 'name' must be 1 to 64 letters, digits, '.', '_' or '-'.", "name");
        }

        if (McpServer is null)
        {
            throw new ToolDefinitionException($"{path}: 'mcpServer' must declare the MCP stdio server the plugin runs.", "mcpServer");
        }

        if (McpServer.Transport != McpTransportKind.Stdio)
        {
            throw new ToolDefinitionException($"{path}: a plugin's MCP server runs over stdio ('command'); 'url' is for mcp.json.", "mcpServer.url");
        }

        McpServer.Validate(Name);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PluginName();
}
