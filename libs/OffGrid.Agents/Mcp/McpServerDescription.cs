namespace OffGrid.Agents.Mcp;

/// <summary>What a running MCP server offers: its tools, prompts and resources.</summary>
/// <param name="Name">The server's configured name.</param>
/// <param name="ServerName">The name the server reports, with its version.</param>
/// <param name="Instructions">The server's instructions for clients, when it gives any.</param>
/// <param name="Tools">Its tools.</param>
/// <param name="Prompts">Its prompts (empty when it offers none).</param>
/// <param name="Resources">Its resources (empty when it offers none).</param>
public sealed record McpServerDescription(
    string Name,
    string ServerName,
    string? Instructions,
    IReadOnlyList<McpToolInfo> Tools,
    IReadOnlyList<McpPromptInfo> Prompts,
    IReadOnlyList<McpResourceInfo> Resources);

/// <summary>One tool of an MCP server.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Description">What it does.</param>
/// <param name="RequiresApproval">Whether OffGrid asks a person before each call.</param>
public sealed record McpToolInfo(string Name, string? Description, bool RequiresApproval);

/// <summary>One prompt of an MCP server.</summary>
/// <param name="Name">The prompt's name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Arguments">The names of its arguments.</param>
public sealed record McpPromptInfo(string Name, string? Description, IReadOnlyList<string> Arguments);

/// <summary>One resource of an MCP server.</summary>
/// <param name="Uri">Its address.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it holds.</param>
/// <param name="MimeType">Its media type, when known.</param>
public sealed record McpResourceInfo(string Uri, string Name, string? Description, string? MimeType);
