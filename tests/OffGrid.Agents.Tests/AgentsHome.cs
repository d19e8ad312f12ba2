using System.Text.Json;
using System.Text.Json.Serialization;
using OffGrid.Agents.Mcp;
using OffGrid.Testing;

namespace OffGrid.Agents.Tests;

/// <summary>A fresh folder with OffGrid's tool files (mcp.json, tools/, plugins/, mcp/) and options pointing at it.</summary>
internal sealed class AgentsHome : IDisposable
{
    public AgentsHome()
    {
        Directory = TestPaths.NewTempDir("offgrid-agents");
        Options = new AgentOptions { HomeDirectory = Directory, StartTimeout = TimeSpan.FromSeconds(60) };
    }

    public string Directory { get; }

    public AgentOptions Options { get; }

    /// <summary>Writes mcp.json with <paramref name="servers"/> (name → entry, in mcp.json's shape).</summary>
    public void WriteMcpJson(object servers) =>
        File.WriteAllText(Options.McpConfigPath, JsonSerializer.Serialize(new { mcpServers = servers }, new JsonSerializerOptions(McpConfigFile.JsonOptions) { DefaultIgnoreCondition = JsonIgnoreCondition.Never }));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A server process that is still stopping may hold a file; the temp folder is cleaned by the OS.
        }
    }
}
