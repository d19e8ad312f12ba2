using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OffGrid.Agents.Mcp;

/// <summary>
/// One entry of <c>mcpServers</c> in <c>mcp.json</c>, in the shape MCP clients share: <c>command</c>, <c>args</c> and
/// <c>env</c> start a stdio server; <c>url</c> and <c>headers</c> reach a Streamable HTTP server. OffGrid also reads
/// <c>type</c>, <c>cwd</c>, <c>disabled</c>, <c>timeout</c> (seconds per call), <c>requireApproval</c>, <c>toolArguments</c>
/// and <c>description</c>.
/// Values of <c>env</c> and <c>headers</c> may name environment variables as <c>${NAME}</c>, so secrets stay out of the file.
/// </summary>
public sealed partial class McpServerConfig
{
    /// <summary>Gets or sets the transport named explicitly (<c>stdio</c>, <c>http</c> or <c>streamable-http</c>); inferred from <see cref="Url"/> when absent.</summary>
    public string? Type { get; set; }

    /// <summary>Gets or sets the program that starts a stdio server (<c>npx</c>, <c>node</c>, <c>python</c>, <c>dotnet</c>, …).</summary>
    public string? Command { get; set; }

    /// <summary>Gets or sets the program's arguments, passed as they are (never through a shell).</summary>
    public IList<string> Args { get; set; } = [];

    /// <summary>Gets or sets environment variables for the server process, added to OffGrid's own.</summary>
    public IDictionary<string, string> Env { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the working folder of the server process.</summary>
    public string? Cwd { get; set; }

    /// <summary>Gets or sets the address of a Streamable HTTP server.</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets HTTP headers sent with every request to an HTTP server (for example <c>Authorization</c>).</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets whether the entry is kept but not used.</summary>
    public bool Disabled { get; set; }

    /// <summary>Gets or sets the seconds one tool call may take; <see langword="null"/> uses <see cref="AgentOptions.CallTimeout"/>.</summary>
    public double? Timeout { get; set; }

    /// <summary>Gets or sets which tools need a person's approval before each call; <see langword="null"/> asks for tools the server marks destructive.</summary>
    public ToolApprovalPolicy? RequireApproval { get; set; }

    /// <summary>
    /// Gets or sets narrower schemas for tools' arguments, by tool and argument name, for example
    /// <c>{"read_text_file":{"path":{"enum":["/srv/docs/handbook.md"]}}}</c>. Each replaces the argument's schema in what the
    /// model sees, so grammar-constrained sampling keeps calls inside it; <c>enum</c> and <c>const</c> are also checked
    /// before every call. Small local models call tools far more reliably with such narrow choices.
    /// </summary>
    public IDictionary<string, IDictionary<string, JsonElement>> ToolArguments { get; set; } = new Dictionary<string, IDictionary<string, JsonElement>>(StringComparer.Ordinal);

    /// <summary>Gets or sets a description shown in listings.</summary>
    public string? Description { get; set; }

    /// <summary>Gets how the server is reached.</summary>
    [JsonIgnore]
    public McpTransportKind Transport => Url is not null || Type is "http" or "streamable-http" or "streamableHttp" ? McpTransportKind.Http : McpTransportKind.Stdio;

    /// <summary>Checks the entry.</summary>
    /// <param name="name">The server's name, for the message.</param>
    /// <exception cref="ToolDefinitionException">The entry cannot be used; the message names the server and the field.</exception>
    public void Validate(string name)
    {
        if (!ServerName().IsMatch(name))
        {
            throw new ToolDefinitionException($"MCP server name '{name}' must be 1 to 64 letters, digits, '.', '_' or '-'.", "mcpServers");
        }

        if (Type is not (null or "stdio" or "http" or "streamable-http" or "streamableHttp"))
        {
            throw new ToolDefinitionException($"MCP server '{name}': type '{Type}' is not supported; use stdio or http (Streamable HTTP).", $"mcpServers.{name}.type");
        }

        if (Transport == McpTransportKind.Http)
        {
            if (Url is null || !Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https"))
            {
                throw new ToolDefinitionException($"MCP server '{name}': 'url' must be an absolute http or https address.", $"mcpServers.{name}.url");
            }

            if (Command is not null)
            {
                throw new ToolDefinitionException($"MCP server '{name}' has both 'url' and 'command'; keep one.", $"mcpServers.{name}");
            }
        }
        else if (string.IsNullOrWhiteSpace(Command))
        {
            throw new ToolDefinitionException($"MCP server '{name}' needs a 'command' (stdio) or a 'url' (Streamable HTTP).", $"mcpServers.{name}.command");
        }

        foreach ((string tool, IDictionary<string, JsonElement> arguments) in ToolArguments)
        {
            foreach ((string argument, JsonElement schema) in arguments.Where(a => a.Value.ValueKind != JsonValueKind.Object))
            {
                throw new ToolDefinitionException($"MCP server '{name}': the schema of '{tool}.{argument}' in 'toolArguments' must be a JSON object.", $"mcpServers.{name}.toolArguments.{tool}.{argument}");
            }
        }

        if (Timeout is <= 0)
        {
            throw new ToolDefinitionException($"MCP server '{name}': 'timeout' must be a positive number of seconds.", $"mcpServers.{name}.timeout");
        }
    }

    /// <summary>Replaces <c>${NAME}</c> with the value of the environment variable <c>NAME</c> (empty when unset).</summary>
    internal static string ExpandVariables(string value) =>
        Variable().Replace(value, m => Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? string.Empty);

    /// <summary>A stable text of the entry, to tell whether a running server's configuration changed.</summary>
    internal string Fingerprint() => JsonSerializer.Serialize(this, McpConfigFile.JsonOptions);

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ServerName();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}
