using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using OffGrid.Inference.Runtime;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// Creates offline packages: models from the store (checked against their recorded SHA-256 while copied), pinned
/// llama.cpp runtime tarballs for the chosen platforms (downloaded once through the Hub's downloader, integrity-checked),
/// the <c>offgrid</c> tool package, <c>install.sh</c> and <c>install.ps1</c>, a <c>SHA256SUMS</c> file and the manifest,
/// signed with the publisher's Ed25519 key. Writing to a folder or <c>.tar</c> file resumes after an interruption.
/// </summary>
/// <remarks>Thread-safe; concurrent calls must use different outputs.</remarks>
public sealed class PackageBuilder
{
    private static readonly string s_createdBy = "OffGrid.Distribution " + (typeof(PackageBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    private readonly ModelStore _store;
    private readonly LlamaRuntimeOptions _runtime;
    private readonly HttpClient? _httpClient;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The model store the models come from.</param>
    /// <param name="runtimeOptions">The npm registry and the download cache for runtime tarballs; defaults when <see langword="null"/>.</param>
    /// <param name="httpClient">The client for runtime downloads; one is created when <see langword="null"/>.</param>
    /// <param name="logger">Receives what was packed.</param>
    public PackageBuilder(ModelStore store, LlamaRuntimeOptions? runtimeOptions = null, HttpClient? httpClient = null, ILogger<PackageBuilder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _runtime = runtimeOptions ?? new LlamaRuntimeOptions();
        _httpClient = httpClient;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates the package described by <paramref name="request"/>.</summary>
    /// <param name="request">What to include and where to write it.</param>
    /// <param name="progress">Receives runtime downloads (<see cref="PackageStage.Preparing"/>), then bytes written with rate and time left (<see cref="PackageStage.Writing"/>).</param>
    /// <param name="cancellationToken">Stops writing; what was written is kept, and the same request resumes it.</param>
    /// <returns>The package.</returns>
    /// <exception cref="PackageException">A model or platform is unknown, the tool package is not one, the output is in the way, or a source does not match its recorded digest.</exception>
    /// <exception cref="LlamaRuntimeException">A runtime tarball could not be downloaded or failed its integrity check.</exception>
    /// <exception cref="InsufficientDiskSpaceException">The output's disk cannot hold the package (checked before writing), or filled up.</exception>
    public async Task<PackageCreateResult> CreateAsync(PackageCreateRequest request, IProgress<PackageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.OutputPath);
        if (request.Models.Count == 0 && request.RuntimePlatforms.Count == 0 && request.ToolPackagePath is null)
        {
            throw new PackageException(PackageProblem.InvalidRequest, "Nothing to package: give at least one model, runtime platform or tool package.");
        }

        string output = Path.GetFullPath(request.OutputPath);
        using Activity? activity = DistributionTelemetry.ActivitySource.StartActivity("package create");
        var items = new List<PackageItem>();
        List<PackageModel> models = await CollectModelsAsync(request.Models, items, cancellationToken).ConfigureAwait(false);
        List<PackageRuntime> runtimes = await CollectRuntimesAsync(request.RuntimePlatforms, items, progress, cancellationToken).ConfigureAwait(false);
        PackageTool? tool = await CollectToolAsync(request.ToolPackagePath, items, progress, cancellationToken).ConfigureAwait(false);

        var generated = new List<PackageItem>
        {
            PackageItem.FromContent(PackageLayout.ShellInstaller, InstallScripts.Shell(tool)),
            PackageItem.FromContent(PackageLayout.PowerShellInstaller, InstallScripts.PowerShell(tool)),
        };
        if (request.Signer is { } signer)
        {
            generated.Add(PackageItem.FromContent(PackageLayout.PublisherKeyFile, Encoding.UTF8.GetBytes(signer.PublicKey + "\n")));
        }

        items.InsertRange(0, generated);
        items.Insert(0, PackageItem.FromContent(PackageLayout.ChecksumFile, Checksums(items)));
        var manifest = new PackageManifest
        {
            Format = PackageManifest.CurrentFormat,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = s_createdBy,
            Publisher = request.Signer is { } key ? new PackagePublisher(key.PublicKey.Name, key.PublicKey.KeyId) : null,
            Models = models,
            Runtimes = runtimes,
            Tool = tool,
            Files = items.Select(i => i.ToFile()).ToList(),
        };
        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, PackageLayout.Json);
        byte[]? signature = request.Signer is { } s ? PackageSignature.Create(s, manifestBytes) : null;

        var writing = new StageProgress(progress, PackageStage.Writing, manifest.TotalBytes);
        bool resumed;
        if (output.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
        {
            string contentId = ContentId(manifest);
            (resumed, manifestBytes, _) = await TarPackageWriter.WriteAsync(output, contentId, items, manifestBytes, signature, writing, cancellationToken).ConfigureAwait(false);
            manifest = PackageManifestParser.Parse(manifestBytes);
        }
        else
        {
            resumed = await DirectoryPackageWriter.WriteAsync(output, items, manifestBytes, signature, writing, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new PackageProgress(PackageStage.Done, output, manifest.TotalBytes, manifest.TotalBytes, 0, TimeSpan.Zero));
        _logger.LogInformation(
            "Created package {Path}: {Models} model(s), {Runtimes} runtime(s), tool {Tool}, {Bytes} bytes, {Signature}{Resumed}",
            output,
            models.Count,
            runtimes.Count,
            tool?.Version ?? "none",
            manifest.TotalBytes,
            manifest.Publisher is { } p ? $"signed by {p.Name} ({p.KeyId})" : "unsigned",
            resumed ? " (resumed)" : string.Empty);
        return new PackageCreateResult(output, manifest, resumed);
    }

    private async Task<List<PackageModel>> CollectModelsAsync(IReadOnlyList<string> names, List<PackageItem> items, CancellationToken ct)
    {
        var models = new List<PackageModel>();
        foreach (string name in names)
        {
            ModelManifest stored = await _store.FindAsync(name, ct).ConfigureAwait(false)
                ?? throw new PackageException(PackageProblem.InvalidRequest, $"No stored model matches '{name}'; see 'offgrid list', or pull it first.");
            if (models.Any(m => m.Name == stored.Name))
            {
                continue;
            }

            string folder = $"{PackageLayout.ModelsFolder}/{FolderFor(stored.Name)}";
            var paths = new List<string>();
            foreach (ModelFileEntry file in stored.Files)
            {
                string path = $"{folder}/{Path.GetFileName(file.Path)}";
                items.Add(new PackageItem(path, file.Size, file.Sha256.ToLowerInvariant(), stored.GetFullPath(file), null));
                paths.Add(path);
            }

            models.Add(new PackageModel
            {
                Name = stored.Name,
                Repository = stored.Repository,
                Revision = stored.Revision,
                Quantization = stored.Quantization,
                Architecture = stored.Architecture,
                ParameterCount = stored.ParameterCount,
                Files = paths,
            });
        }

        return models;
    }

    private async Task<List<PackageRuntime>> CollectRuntimesAsync(IReadOnlyList<string> platforms, List<PackageItem> items, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        var runtimes = new List<PackageRuntime>();
        foreach (string platform in platforms.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            RuntimePackage package = LlamaRuntimeCatalog.Packages.FirstOrDefault(p => p.Platform.Equals(platform, StringComparison.OrdinalIgnoreCase))
                ?? throw new PackageException(PackageProblem.InvalidRequest, $"There is no llama.cpp runtime for '{platform}'; choose from {string.Join(", ", LlamaRuntimeCatalog.Packages.Select(p => p.Platform))}.");
            var download = new StageProgress(progress, PackageStage.Preparing, null) { Item = package.TarballFileName };
            string tarball = await LlamaRuntime.DownloadPackageAsync(package, _runtime, _httpClient, download, _logger, ct).ConfigureAwait(false);
            (long length, string sha) = await StreamHashing.HashFileAsync(tarball, null, ct).ConfigureAwait(false);
            string path = $"{PackageLayout.RuntimeFolder}/{package.TarballFileName}";
            items.Add(new PackageItem(path, length, sha, tarball, null));
            runtimes.Add(new PackageRuntime(package.Platform, package.Name, package.Version, LlamaRuntimeCatalog.LlamaCppRelease, package.Integrity, path));
        }

        return runtimes;
    }

    private static async Task<PackageTool?> CollectToolAsync(string? nupkg, List<PackageItem> items, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        if (nupkg is null)
        {
            return null;
        }

        string source = Path.GetFullPath(nupkg);
        if (!File.Exists(source))
        {
            throw new PackageException(PackageProblem.InvalidRequest, $"The tool package {source} does not exist; build it with 'dotnet pack hosts/cli -c Release'.");
        }

        PackageTool tool = ToolPackageReader.Read(source, $"{PackageLayout.ToolsFolder}/{Path.GetFileName(source)}");
        progress?.Report(new PackageProgress(PackageStage.Preparing, tool.Path, 0, null, 0, null));
        (long length, string sha) = await StreamHashing.HashFileAsync(source, null, ct).ConfigureAwait(false);
        items.Add(new PackageItem(tool.Path, length, sha, source, null));
        return tool;
    }

    /// <summary>The <c>SHA256SUMS</c> file (the format <c>sha256sum -c</c> reads), so a machine without OffGrid can check the files first.</summary>
    private static byte[] Checksums(IEnumerable<PackageItem> items) =>
        Encoding.UTF8.GetBytes(string.Concat(items.Select(i => $"{i.Sha256}  {i.Path}\n")));

    /// <summary>Identifies the content regardless of creation time, so that a rerun of the same package resumes an unfinished archive.</summary>
    private static string ContentId(PackageManifest manifest) => Convert.ToHexStringLower(SHA256.HashData(
        JsonSerializer.SerializeToUtf8Bytes(new { manifest.Files, manifest.Publisher }, PackageLayout.Json)));

    /// <summary>A readable, unique folder name for a model: its name's letters and digits plus a short hash of the full name.</summary>
    private static string FolderFor(string modelName)
    {
        string readable = new(modelName.Take(100).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return $"{readable.Trim('.', '_')}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(modelName)).AsSpan(0, 4))}";
    }
}
