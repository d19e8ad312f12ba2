namespace OffGrid.Agents.Catalog;

/// <summary>What to install as an MCP server, and how to configure it in <c>mcp.json</c>.</summary>
public sealed class McpInstallRequest
{
    /// <summary>Gets or sets a catalog name (<c>filesystem</c>), an npm package with version (<c>@scope/server@1.2.3</c>), or a local <c>.tgz</c> file.</summary>
    public required string Source { get; set; }

    /// <summary>Gets or sets the server's name in <c>mcp.json</c>; defaults to the catalog name or the package's name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets the server's arguments (for example the folders the filesystem server may use).</summary>
    public IList<string> Args { get; } = [];

    /// <summary>Gets environment values for the server; required variables not given here are read from OffGrid's environment as <c>${NAME}</c>.</summary>
    public IDictionary<string, string> Env { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the tarball's integrity (<c>sha512-…</c>) for a package or file that is not in the catalog.</summary>
    public string? Integrity { get; set; }

    /// <summary>Gets or sets whether the package's dependencies come only from npm's local cache (<c>npm install --offline</c>).</summary>
    public bool Offline { get; set; }

    /// <summary>Gets or sets whether an existing <c>mcp.json</c> entry of the same name may be replaced.</summary>
    public bool Replace { get; set; }
}
