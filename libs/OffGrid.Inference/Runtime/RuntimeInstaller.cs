using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OffGrid.Hub.Downloads;

namespace OffGrid.Inference.Runtime;

/// <summary>
/// Installs a runtime package: download (integrity-checked, resumable) or a local tarball/directory, then an
/// atomic extraction, so that a half-extracted runtime is never used.
/// </summary>
internal sealed class RuntimeInstaller
{
    private const string MarkerFileName = "offgrid-runtime.json";

    private readonly string _root;
    private readonly HttpClient? _httpClient;
    private readonly ILogger _logger;

    public RuntimeInstaller(string root, HttpClient? httpClient, ILogger logger)
    {
        _root = root;
        _httpClient = httpClient;
        _logger = logger;
    }

    /// <summary>Returns the library directory of <paramref name="package"/>, installing it first when needed.</summary>
    public async Task<string> EnsureInstalledAsync(RuntimePackage package, LlamaRuntimeOptions options, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string target = Path.Combine(_root, package.InstallFolderName);
        if (File.Exists(Path.Combine(target, MarkerFileName)))
        {
            return target;
        }

        Directory.CreateDirectory(_root);
        string tarball;
        if (options.PackageSource is { } source)
        {
            if (Directory.Exists(source))
            {
                return PublishDirectory(package, FindBinaries(source, package), target, copy: true);
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
            tarball = await DownloadAsync(package, options, progress, cancellationToken).ConfigureAwait(false);
        }

        return await ExtractAsync(package, tarball, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads the tarball of <paramref name="package"/> into <c>downloads/</c> (verified against the pinned integrity; kept as a cache).</summary>
    public async Task<string> DownloadAsync(RuntimePackage package, LlamaRuntimeOptions options, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Uri registry = NpmRegistryLocator.Locate(options.RegistryUri)
            ?? throw new LlamaRuntimeException(
                "No npm registry is configured on this machine. Set NPM_CONFIG_REGISTRY (or a registry line in .npmrc), " +
                "or install the runtime from a local package file.");
        string destination = Path.Combine(_root, "downloads", package.TarballFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        Uri source = package.GetTarballUri(registry);
        _logger.LogInformation("Downloading the llama.cpp runtime {Package}@{Version}.", package.Name, package.Version);

        HttpClient client = _httpClient ?? new HttpClient();
        try
        {
            var downloader = new FileDownloader(client);
            await downloader.DownloadAsync(
                new DownloadRequest { Source = source, DestinationPath = destination, ExpectedHash = ContentHash.FromIntegrity(package.Integrity) },
                progress,
                cancellationToken).ConfigureAwait(false);
        }
        catch (DownloadIntegrityException ex)
        {
            throw new LlamaRuntimeException($"The runtime package {package.Name}@{package.Version} failed its integrity check and was discarded: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LlamaRuntimeException($"The runtime package {package.Name}@{package.Version} could not be downloaded: {ex.Message}", ex);
        }
        finally
        {
            if (_httpClient is null)
            {
                client.Dispose();
            }
        }

        return destination;
    }

    private async Task<string> ExtractAsync(RuntimePackage package, string tarball, string target, CancellationToken cancellationToken)
    {
        // A local tarball never went through the downloader's check, and a cached download may have been
        // replaced since, so the pinned integrity is checked again right before extraction.
        ContentHash expected = ContentHash.FromIntegrity(package.Integrity);
        if (!await expected.MatchesFileAsync(tarball, cancellationToken).ConfigureAwait(false))
        {
            throw new LlamaRuntimeException($"'{tarball}' is not {package.Name}@{package.Version}: its {expected.Algorithm} digest does not match the pinned integrity.");
        }

        string staging = Path.Combine(_root, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            await using (FileStream file = File.OpenRead(tarball))
            await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            await using (var reader = new TarReader(gzip))
            {
                string stagingRoot = Path.GetFullPath(staging) + Path.DirectorySeparatorChar;
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    {
                        continue;
                    }

                    string path = Path.GetFullPath(Path.Combine(staging, entry.Name));
                    if (!path.StartsWith(stagingRoot, StringComparison.Ordinal))
                    {
                        throw new LlamaRuntimeException($"The runtime package contains an unsafe path: '{entry.Name}'.");
                    }

                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await entry.ExtractToFileAsync(path, overwrite: true, cancellationToken).ConfigureAwait(false);
                }
            }

            return PublishDirectory(package, FindBinaries(staging, package), target, copy: false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
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

    private string PublishDirectory(RuntimePackage package, string binaries, string target, bool copy)
    {
        // The marker is written inside the staged copy before the rename, so a runtime directory either has
        // every file and its marker, or does not exist.
        string staged = Path.Combine(_root, $".publish-{Guid.NewGuid():N}");
        if (copy)
        {
            Directory.CreateDirectory(staged);
            foreach (string file in Directory.EnumerateFiles(binaries))
            {
                File.Copy(file, Path.Combine(staged, Path.GetFileName(file)));
            }
        }
        else
        {
            Directory.Move(binaries, staged);
        }

        File.WriteAllText(
            Path.Combine(staged, MarkerFileName),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = package.Name, ["version"] = package.Version, ["integrity"] = package.Integrity, ["installedAt"] = DateTimeOffset.UtcNow.ToString("O") }));

        try
        {
            if (Directory.Exists(target))
            {
                // A previous install without a marker was interrupted before publishing; replace it.
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(staged, target);
        }
        catch (IOException) when (File.Exists(Path.Combine(target, MarkerFileName)))
        {
            // Another process published the same package first.
            Directory.Delete(staged, recursive: true);
        }

        _logger.LogInformation("Installed the llama.cpp runtime {Package}@{Version} in {Directory}.", package.Name, package.Version, target);
        return target;
    }
}
