using System.Text.Json;
using OffGrid.Agents;
using OffGrid.Agents.Mcp;
using OffGrid.Agents.Tools;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Tools;

/// <summary>
/// What any caller may read about the server's tools: <c>GET tools</c> (every name usable in a chat request's
/// <c>server_tools</c>), <c>GET tools/{name}</c> (a custom tool's definition), <c>GET mcp/servers</c> (each configured MCP
/// server's state, without starting any) and <c>GET mcp/servers/{name}</c> (a server's tools, prompts and resources; starts it).
/// </summary>
internal static class ToolsEndpoints
{
    public static IResult List(Toolbox toolbox) => Results.Json(new
    {
        @object = "list",
        data = toolbox.List().Select(t => new { name = t.Name, @object = "tool_set", kind = Kind(t.Kind), description = t.Description, error = t.Error }),
    }, ServerJson.Options);

    public static IResult Get(string name, Toolbox toolbox) => Definition(toolbox.Definitions.Get(name));

    public static IResult Servers(Toolbox toolbox) => Results.Json(new
    {
        @object = "list",
        data = toolbox.McpServers.GetStatus().Select(s => new
        {
            name = s.Name,
            @object = "mcp_server",
            kind = Kind(s.Kind),
            transport = s.Transport == McpTransportKind.Http ? "http" : "stdio",
            state = s.State.ToString().ToLowerInvariant(),
            target = s.Target,
            tool_count = s.ToolCount,
            restarts = s.Restarts,
            error = s.Error,
            description = s.Description,
        }),
    }, ServerJson.Options);

    public static async Task<IResult> ServerAsync(string name, Toolbox toolbox, CancellationToken cancellationToken)
    {
        McpServerDescription server = await toolbox.McpServers.DescribeAsync(name, cancellationToken);
        return Results.Json(new
        {
            name = server.Name,
            @object = "mcp_server",
            server = server.ServerName,
            instructions = server.Instructions,
            tools = server.Tools.Select(t => new { name = t.Name, description = t.Description, requires_approval = t.RequiresApproval }),
            prompts = server.Prompts.Select(p => new { name = p.Name, description = p.Description, arguments = p.Arguments }),
            resources = server.Resources.Select(r => new { uri = r.Uri, name = r.Name, description = r.Description, mime_type = r.MimeType }),
        }, ServerJson.Options);
    }

    /// <summary>A definition in the shape of its file (camelCase, as <c>$OFFGRID_HOME/tools/*.json</c> holds it).</summary>
    internal static IResult Definition(ToolDefinition definition, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(definition.ToJson(), "application/json", System.Text.Encoding.UTF8, statusCode);

    private static string Kind(ToolSetKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
