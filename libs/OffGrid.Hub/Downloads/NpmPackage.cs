namespace OffGrid.Hub.Downloads;

/// <summary>A package of the npm registry pinned by version and integrity, as OffGrid installs native runtimes from it.</summary>
/// <param name="Name">The package name, for example <c>@node-llama-cpp/linux-x64</c> or <c>sherpa-onnx-linux-x64</c>.</param>
/// <param name="Version">The pinned version.</param>
/// <param name="Integrity">The registry's Subresource Integrity string (<c>sha512-…</c>) of the tarball.</param>
public sealed record NpmPackage(string Name, string Version, string Integrity)
{
    /// <summary>Gets the tarball file name the registry serves (<c>linux-x64-3.21.1.tgz</c>).</summary>
    public string TarballFileName => $"{Name[(Name.LastIndexOf('/') + 1)..]}-{Version}.tgz";

    /// <summary>Gets the folder name of the installed package (<c>node-llama-cpp-linux-x64@3.21.1</c>).</summary>
    public string InstallFolderName => $"{Name.TrimStart('@').Replace('/', '-')}@{Version}";

    /// <summary>Gets the tarball address on a registry (<c>&lt;registry&gt;/&lt;name&gt;/-/&lt;file&gt;</c>).</summary>
    /// <param name="registry">The registry root.</param>
    /// <returns>The address.</returns>
    public Uri GetTarballUri(Uri registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        string root = registry.AbsoluteUri.TrimEnd('/');
        return new Uri($"{root}/{Name}/-/{TarballFileName}");
    }
}
