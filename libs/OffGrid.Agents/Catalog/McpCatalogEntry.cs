using System.Text.RegularExpressions;
using OffGrid.Agents.Mcp;
using OffGrid.Hub.Downloads;

namespace OffGrid.Agents.Catalog;

/// <summary>
/// One MCP server of the catalog: the npm package and version it installs from, the tarball's integrity, what it does,
/// the arguments and environment it needs, and an example <c>mcp.json</c> entry.
/// </summary>
public sealed partial class McpCatalogEntry
{
    /// <summary>Gets or sets the server's short name (also its default name in <c>mcp.json</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the npm package.</summary>
    public string Package { get; set; } = string.Empty;

    /// <summary>Gets or sets the pinned version.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>Gets or sets the tarball's Subresource Integrity string (<c>sha512-…</c>), checked before anything is extracted.</summary>
    public string Integrity { get; set; } = string.Empty;

    /// <summary>Gets or sets what the server offers.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the arguments it takes, for help text (<c>&lt;allowed-folder&gt; [more folders]</c>).</summary>
    public string? Usage { get; set; }

    /// <summary>Gets or sets how many arguments it needs at least.</summary>
    public int MinArgs { get; set; }

    /// <summary>Gets or sets arguments for the example configuration.</summary>
    public IList<string> ExampleArgs { get; set; } = [];

    /// <summary>Gets or sets environment variables it needs; an install refers to them as <c>${NAME}</c> unless given values.</summary>
    public IList<McpEnvironmentVariable> RequiredEnv { get; set; } = [];

    /// <summary>Gets or sets environment variables it reads when set.</summary>
    public IList<McpEnvironmentVariable> OptionalEnv { get; set; } = [];

    /// <summary>Gets an example <c>mcp.json</c> entry that runs the pinned package with npx.</summary>
    public McpServerConfig ExampleConfig => new()
    {
        Command = "npx",
        Args = ["-y", $"{Package}@{Version}", .. ExampleArgs],
        Env = RequiredEnv.ToDictionary(e => e.Name, e => $"${{{e.Name}}}", StringComparer.Ordinal),
        Description = Description,
    };

    /// <summary>Checks the entry.</summary>
    /// <exception cref="ToolDefinitionException">A field is missing or malformed.</exception>
    public void Validate()
    {
        if (!EntryName().IsMatch(Name))
        {
            throw new ToolDefinitionException($"Catalog entry '{Name}': 'name' must be 1 to 64 letters, digits, '.', '_' or '-'.", "name");
        }

        if (!PackageName().IsMatch(Package))
        {
            throw new ToolDefinitionException($"Catalog entry '{Name}': '{Package}' is not an npm package name.", "package");
        }

        if (string.IsNullOrWhiteSpace(Version) || Version.Contains('/', StringComparison.Ordinal))
        {
            throw new ToolDefinitionException($"Catalog entry '{Name}' needs an exact 'version'.", "version");
        }

        try
        {
            ContentHash.FromIntegrity(Integrity);
        }
        catch (FormatException ex)
        {
            throw new ToolDefinitionException($"Catalog entry '{Name}': 'integrity' must be a sha512 Subresource Integrity string: {ex.Message}", "integrity", ex);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex EntryName();

    [GeneratedRegex(@"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")]
    internal static partial Regex PackageName();
}
