namespace OffGrid.Hub.Npm;

/// <summary>One version of a package on an npm registry, optionally pinned by the integrity of its tarball.</summary>
/// <param name="Name">The package name, for example <c>@modelcontextprotocol/server-filesystem</c>.</param>
/// <param name="Version">The exact version.</param>
/// <param name="Integrity">The registry's Subresource Integrity string for the tarball (<c>sha512-…</c>), when known.</param>
public sealed record NpmPackage(string Name, string Version, string? Integrity = null)
{
    /// <summary>Gets the tarball file name the registry serves (<c>server-filesystem-2026.8.31.tgz</c>).</summary>
    public string TarballFileName => $"{Name[(Name.LastIndexOf('/') + 1)..]}-{Version}.tgz";

    /// <summary>Gets a folder name for the installed package (<c>modelcontextprotocol-server-filesystem@2026.8.31</c>).</summary>
    public string InstallFolderName => $"{Name.TrimStart('@').Replace('/', '-')}@{Version}";

    /// <summary>Gets the tarball address on a registry: <c>&lt;registry&gt;/&lt;name&gt;/-/&lt;file&gt;</c>, as npm's registry API serves it.</summary>
    /// <param name="registry">The registry's base address.</param>
    /// <returns>The tarball's address.</returns>
    public Uri GetTarballUri(Uri registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new Uri($"{registry.AbsoluteUri.TrimEnd('/')}/{Name}/-/{TarballFileName}");
    }
}
