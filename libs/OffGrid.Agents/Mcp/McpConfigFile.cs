using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OffGrid.Agents.Mcp;

/// <summary>
/// Reads and edits an <c>mcp.json</c> file: <c>{"mcpServers":{"name":{…}}}</c>. Edits keep everything else in the file
/// (other keys, fields OffGrid does not know) and replace the file atomically.
/// </summary>
/// <remarks>Thread-safe within a process; two processes editing at the same moment can lose one edit.</remarks>
public sealed class McpConfigFile
{
    private static readonly SemaphoreSlim s_writeLock = new(1, 1);

    /// <summary>Opens the file at <paramref name="path"/>; it need not exist.</summary>
    /// <param name="path">The file's path.</param>
    public McpConfigFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Gets the file's full path.</summary>
    public string Path { get; }

    internal static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    /// <summary>Reads the servers, in file order; empty when the file does not exist.</summary>
    /// <returns>The servers by name; each entry is validated.</returns>
    /// <exception cref="ToolDefinitionException">The file is not valid JSON in the expected shape, or an entry is invalid.</exception>
    public IReadOnlyDictionary<string, McpServerConfig> Read()
    {
        var servers = new Dictionary<string, McpServerConfig>(StringComparer.Ordinal);
        if (ReadServersNode() is not { } node)
        {
            return servers;
        }

        foreach ((string name, JsonNode? entry) in node)
        {
            McpServerConfig config;
            try
            {
                config = entry?.Deserialize<McpServerConfig>(JsonOptions) ?? throw new JsonException("The entry is null.");
            }
            catch (JsonException ex)
            {
                throw new ToolDefinitionException($"{Path}: MCP server '{name}' is invalid: {ex.Message}", $"mcpServers.{name}", ex);
            }

            config.Validate(name);
            servers[name] = config;
        }

        return servers;
    }

    /// <summary>Adds or replaces the server <paramref name="name"/>.</summary>
    /// <param name="name">The server's name.</param>
    /// <param name="config">The entry; validated first.</param>
    /// <param name="cancellationToken">Stops waiting for another edit.</param>
    /// <exception cref="ToolDefinitionException">The entry or the existing file is invalid.</exception>
    public async Task SetServerAsync(string name, McpServerConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(name);
        await EditAsync(servers => servers[name] = JsonSerializer.SerializeToNode(config, JsonOptions), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the server <paramref name="name"/>.</summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops waiting for another edit.</param>
    /// <returns><see langword="true"/> when it was there.</returns>
    public async Task<bool> RemoveServerAsync(string name, CancellationToken cancellationToken = default)
    {
        bool removed = false;
        await EditAsync(servers => removed = servers.Remove(name), cancellationToken).ConfigureAwait(false);
        return removed;
    }

    private async Task EditAsync(Action<JsonObject> edit, CancellationToken cancellationToken)
    {
        await s_writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            JsonObject root = ReadRoot() ?? [];
            if (root["mcpServers"] is not JsonObject servers)
            {
                servers = [];
                root["mcpServers"] = servers;
            }

            edit(servers);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            string temporary = $"{Path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllTextAsync(temporary, root.ToJsonString(JsonOptions) + "\n", cancellationToken).ConfigureAwait(false);
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            s_writeLock.Release();
        }
    }

    private JsonObject? ReadServersNode()
    {
        JsonObject? root = ReadRoot();
        return root?["mcpServers"] switch
        {
            null => null,
            JsonObject servers => servers,
            _ => throw new ToolDefinitionException($"{Path}: 'mcpServers' must be an object of named servers.", "mcpServers"),
        };
    }

    private JsonObject? ReadRoot()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(Path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new ToolDefinitionException($"{Path} must hold a JSON object with 'mcpServers'.");
        }
        catch (JsonException ex)
        {
            throw new ToolDefinitionException($"{Path} is not valid JSON: {ex.Message}", innerException: ex);
        }
    }
}
