using OffGrid.AspNetCore.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds OffGrid's tools to a Model Context Protocol server.</summary>
public static class OffGridMcpServerBuilderExtensions
{
    /// <summary>
    /// Adds OffGrid's MCP tools: <c>chat</c> (a served model answers a message through its pipeline), <c>embed</c>,
    /// <c>list_models</c> and <c>show_model</c>. Requires <c>AddOffGridServer</c>; add a transport
    /// (<c>WithHttpTransport</c> for <c>MapOffGridMcp</c>, <c>WithStdioServerTransport</c> for a stdio server).
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <returns>The same builder.</returns>
    public static IMcpServerBuilder WithOffGridTools(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithTools<OffGridMcpTools>();
    }
}
