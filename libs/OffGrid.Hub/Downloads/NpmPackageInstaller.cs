using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// Installs pinned npm packages that carry native libraries (the llama.cpp runtime, sherpa-onnx): a resumable download
/// checked against the pinned integrity, the integrity checked again right before extraction, a tar extraction that
/// refuses paths leaving the package, and an atomic publish with a marker file, so a half-installed package is never used.
/// </summary>
/// <remarks>Thread-safe; concurrent installs of one package into one folder leave one complete copy.</remarks>
public sealed class NpmPackageInstaller
{
    private readonly string _root;
    private readonly HttpClient? _httpClient;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="root">The folder that holds installed packages, <c>downloads/</c> and staging folders.</param>
    /// <param name="httpClient">The client for downloads; a private one when <see langword="null"/>.</param>
    /// <param name="logger">Receives one line per download and install.</param>
    /// <param name="markerFileName">The file written into a folder once it is completely installed.</param>
    public NpmPackageInstaller(string root, HttpClient? httpClient = null, ILogger? logger = null, string markerFileName = "offgrid-package.json")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(markerFileName);
        _root = root;
        _httpClient = httpClient;
        _logger = logger ?? NullLogger.Instance;
        MarkerFileName = markerFileName;
    }

    /// <summary>Gets the marker file name.</summary>
    public string MarkerFileName { get; }

    /// <summary>Tells whether <paramref name="directory"/> holds a completely installed package.</summary>
    /// <param name="directory">An install folder.</param>
    /// <returns><see langword="true"/> when its marker file exists.</returns>
    public bool IsInstalled(string directory) => File.Exists(Path.Combine(directory, MarkerFileName));

    /// <summary>Downloads the package tarball into <c>downloads/</c> (resuming a partial download) and checks its integrity.</summary>
    /// <param name="package">The package.</param>
    /// <param name="registry">The registry root (see <see cref="NpmRegistry.Locate"/>).</param>
    /// <param name="progress">Receives bytes, rate and ETA.</param>
    /// <param name="cancellationToken">Cancels the download; received bytes are kept.</param>
    /// <returns>The tarball path.</returns>
    /// <exception cref="DownloadIntegrityException">The tarball does not match the pinned integrity (and was discarded).</exception>
    /// <exception cref="HostUnreachableException">The registry could not be reached (offline) or did not answer in time.</exception>
    /// <exception cref="HttpRequestException">The registry refused the download.</exception>
    public async Task<string> DownloadAsync(NpmPackage package, Uri registry, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        string destination = Path.Combine(_root, "downloads", package.TarballFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        _logger.LogInformation("Downloading {Package}@{Version}.", package.Name, package.Version);
        HttpClient client = _httpClient ?? new HttpClient();
        try
        {
            await new FileDownloader(client).DownloadAsync(
                new DownloadRequest { Source = package.GetTarballUri(registry), DestinationPath = destination, ExpectedHash = ContentHash.FromIntegrity(package.Integrity) },
                progress,
                cancellationToken).ConfigureAwait(false);
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

    /// <summary>Checks a tarball against the pinned integrity, extracts it, and publishes the part <paramref name="selectContent"/> picks as <paramref name="target"/>.</summary>
    /// <param name="package">The package the tarball must be.</param>
    /// <param name="tarball">A downloaded or copied <c>.tgz</c>.</param>
    /// <param name="target">The install folder.</param>
    /// <param name="selectContent">Given the extraction folder, returns the folder to publish (for example <c>package/bins/linux-x64</c>); may throw when the package lacks what it needs.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns><paramref name="target"/>.</returns>
    /// <exception cref="DownloadIntegrityException">The tarball is not the pinned package.</exception>
    /// <exception cref="InvalidDataException">The tarball holds a path that leaves the package.</exception>
    public async Task<string> InstallTarballAsync(NpmPackage package, string tarball, string target, Func<string, string> selectContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(selectContent);

        // A local tarball never went through the downloader's check, and a cached download may have been
        // replaced since, so the pinned integrity is checked again right before extraction.
        ContentHash expected = ContentHash.FromIntegrity(package.Integrity);
        if (!await expected.MatchesFileAsync(tarball, cancellationToken).ConfigureAwait(false))
        {
            throw new DownloadIntegrityException($"'{tarball}' is not {package.Name}@{package.Version}: its {expected.Algorithm} digest does not match the pinned integrity.");
        }

        string staging = Path.Combine(_root, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            await ExtractAsync(tarball, staging, cancellationToken).ConfigureAwait(false);
            return PublishDirectory(package, selectContent(staging), target, copy: false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Publishes a folder of package files as <paramref name="target"/>: staged with its marker, then renamed in one step.</summary>
    /// <param name="package">The package, recorded in the marker.</param>
    /// <param name="source">The files to publish (not recursive).</param>
    /// <param name="target">The install folder.</param>
    /// <param name="copy">Copies the files when true (a user's folder); moves the folder otherwise (a staging folder).</param>
    /// <returns><paramref name="target"/>.</returns>
    public string PublishDirectory(NpmPackage package, string source, string target, bool copy)
    {
        ArgumentNullException.ThrowIfNull(package);
        string staged = Path.Combine(_root, $".publish-{Guid.NewGuid():N}");
        if (copy)
        {
            Directory.CreateDirectory(staged);
            foreach (string file in Directory.EnumerateFiles(source))
            {
                File.Copy(file, Path.Combine(staged, Path.GetFileName(file)));
            }
        }
        else
        {
            Directory.Move(source, staged);
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
        catch (IOException) when (IsInstalled(target))
        {
            // Another process published the same package first.
            Directory.Delete(staged, recursive: true);
        }

        _logger.LogInformation("Installed {Package}@{Version} in {Directory}.", package.Name, package.Version, target);
        return target;
    }

    private static async Task ExtractAsync(string tarball, string destination, CancellationToken cancellationToken)
    {
        await using FileStream file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                continue;
            }

            string path = Path.GetFullPath(Path.Combine(destination, entry.Name));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The package contains an unsafe path: '{entry.Name}'.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await entry.ExtractToFileAsync(path, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }
}
