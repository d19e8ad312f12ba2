using OffGrid.Hub.Downloads;

namespace OffGrid.Inference.Runtime;

/// <summary>One prebuilt llama.cpp runtime package of the npm registry, pinned with its integrity.</summary>
/// <param name="Name">The npm package name, for example <c>@node-llama-cpp/linux-x64</c>.</param>
/// <param name="Version">The pinned package version.</param>
/// <param name="Integrity">The registry's Subresource Integrity string (<c>sha512-…</c>) for the tarball.</param>
/// <param name="Platform">The folder under <c>bins/</c> that holds the libraries, for example <c>linux-x64</c>.</param>
/// <param name="Variant">The GPU variant the package provides.</param>
public sealed record RuntimePackage(string Name, string Version, string Integrity, string Platform, LlamaRuntimeVariant Variant)
{
    /// <summary>The package as the hub's npm installer sees it.</summary>
    public NpmPackage Npm => new(Name, Version, Integrity);

    /// <summary>The tarball file name the registry serves (<c>linux-x64-3.21.1.tgz</c>).</summary>
    public string TarballFileName => Npm.TarballFileName;

    /// <summary>The folder name of the installed package under the runtime directory.</summary>
    public string InstallFolderName => Npm.InstallFolderName;

    /// <summary>The tarball address on a registry (<c>&lt;registry&gt;/&lt;name&gt;/-/&lt;file&gt;</c>).</summary>
    public Uri GetTarballUri(Uri registry) => Npm.GetTarballUri(registry);
}
