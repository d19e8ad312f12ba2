using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;
using OffGrid.Inference.Runtime;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// Imports an offline package on a machine without network: verifies it completely (signature against the trust store,
/// every path and file) before anything enters the store, then adds each model through the store's verified import
/// (each file copied, hashed and checked again; a model appears whole or not at all) and installs the package's
/// llama.cpp runtime for this machine.
/// </summary>
/// <remarks>Thread-safe. A <c>.tar</c> package is extracted, while verified, into a temporary folder that is removed afterwards.</remarks>
public sealed class PackageImporter
{
    private readonly PackageVerifier _verifier;
    private readonly ModelStore _store;
    private readonly DistributionOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="verifier">Checks packages.</param>
    /// <param name="store">Receives the models.</param>
    /// <param name="options">The home and temporary folders.</param>
    /// <param name="logger">Receives what was imported.</param>
    public PackageImporter(PackageVerifier verifier, ModelStore store, DistributionOptions options, ILogger<PackageImporter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _verifier = verifier;
        _store = store;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Verifies and imports the package at <paramref name="path"/>.</summary>
    /// <param name="path">A package folder or <c>.tar</c> file.</param>
    /// <param name="options">Whether unsigned packages are accepted and the runtime installed; defaults when <see langword="null"/>.</param>
    /// <param name="progress">Receives verification, then import progress with rate and time left.</param>
    /// <param name="cancellationToken">Cancels the import; a model being copied is not stored.</param>
    /// <returns>What was imported.</returns>
    /// <exception cref="PackageException">The package is refused; nothing was imported.</exception>
    /// <exception cref="InsufficientDiskSpaceException">The store's disk cannot hold the models (checked before anything is copied).</exception>
    /// <exception cref="LlamaRuntimeException">The runtime in the package does not match its pinned integrity.</exception>
    public async Task<PackageImportResult> ImportAsync(string path, PackageImportOptions? options = null, IProgress<PackageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new PackageImportOptions();
        string temp = Path.Combine(_options.GetTempDirectory(), $"import-{Guid.NewGuid():N}");
        try
        {
            RuntimePackage? wanted = options.InstallRuntime ? LlamaRuntime.SelectPackage(LlamaRuntimeVariant.Auto, HardwareProbe.Probe()) : null;
            var extraction = new PackageVerifier.Extraction(
                manifest => EnsureSpace(manifest, temp, Path.GetFullPath(path), wanted),
                (manifest, file) => IsNeeded(manifest, file, wanted),
                temp);
            VerifiedPackage package = await _verifier.VerifyAsync(path, options.AllowUnsigned, extraction, progress, cancellationToken).ConfigureAwait(false);

            var notes = new List<string>();
            List<ModelManifest> models = await ImportModelsAsync(package, progress, cancellationToken).ConfigureAwait(false);
            string? runtime = options.InstallRuntime ? await InstallRuntimeAsync(package, wanted!, options, notes, cancellationToken).ConfigureAwait(false) : null;
            progress?.Report(new PackageProgress(PackageStage.Done, null, package.Manifest.TotalBytes, package.Manifest.TotalBytes, 0, TimeSpan.Zero));
            return new PackageImportResult(package, models, runtime, notes);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private async Task<List<ModelManifest>> ImportModelsAsync(VerifiedPackage package, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        var byPath = package.Manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var models = new List<ModelManifest>();
        foreach (PackageModel model in package.Manifest.Models)
        {
            var import = new ModelImport
            {
                Name = model.Name,
                Repository = model.Repository,
                Revision = model.Revision,
                Quantization = model.Quantization,
                Files = model.Files.Select(p => new ModelImportFile(p[(p.LastIndexOf('/') + 1)..], byPath[p].Size, byPath[p].Sha256)).ToList(),
            };
            var sources = model.Files.ToDictionary(p => p[(p.LastIndexOf('/') + 1)..], p => package.LocalPath(byPath[p])!, StringComparer.Ordinal);
            IProgress<PullProgress>? modelProgress = progress is null ? null : new ImportProgress(progress, model.Name);
            ModelManifest stored = await _store.ImportAsync(import, f => sources[f.Path], modelProgress, ct).ConfigureAwait(false);
            if (package.SignatureBytes is { } signature)
            {
                await ModelProvenance.SaveAsync(_options.HomeDirectory, stored.Files[0].Sha256, new ModelProvenance(package.ManifestBytes, signature), ct).ConfigureAwait(false);
            }

            _logger.LogInformation("Imported {Model} ({Bytes} bytes) from {Package}", stored.Name, stored.SizeBytes, package.Path);
            models.Add(stored);
        }

        return models;
    }

    private async Task<string?> InstallRuntimeAsync(VerifiedPackage package, RuntimePackage wanted, PackageImportOptions options, List<string> notes, CancellationToken ct)
    {
        PackageRuntime? runtime = package.Manifest.Runtimes.FirstOrDefault(r => r.Package == wanted.Name && r.Version == wanted.Version && r.Integrity == wanted.Integrity);
        if (runtime is null)
        {
            if (package.Manifest.Runtimes.Count > 0)
            {
                notes.Add($"The package has no llama.cpp runtime {wanted.Name}@{wanted.Version} for this machine (it has {string.Join(", ", package.Manifest.Runtimes.Select(r => $"{r.Platform} {r.Version}"))}).");
            }

            return null;
        }

        string tarball = package.LocalPath(package.Manifest.Files.First(f => f.Path == runtime.Path))
            ?? throw new InvalidOperationException("The runtime tarball was not extracted.");
        var runtimeOptions = new LlamaRuntimeOptions { InstallDirectory = options.RuntimeInstallDirectory, PackageSource = tarball, AllowDownload = false };
        string directory = await LlamaRuntime.InstallPackageAsync(wanted, runtimeOptions, logger: _logger, cancellationToken: ct).ConfigureAwait(false);
        _logger.LogInformation("Installed the llama.cpp runtime {Package}@{Version} from {Package} into {Directory}", wanted.Name, wanted.Version, package.Path, directory);
        return directory;
    }

    /// <summary>Refuses, before anything is read or copied, an import the disks cannot hold: the models in the store, and what an archive extracts.</summary>
    private void EnsureSpace(PackageManifest manifest, string temp, string source, RuntimePackage? wanted)
    {
        var byPath = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        long models = manifest.Models.SelectMany(m => m.Files).Sum(p => byPath[p].Size);
        DiskSpace.EnsureAvailable(_store.RootDirectory, models);
        if (File.Exists(source))
        {
            long extracted = manifest.Files.Where(f => IsNeeded(manifest, f, wanted)).Sum(f => f.Size);
            // The extracted copy and the store's copy usually share the home folder's disk: both must fit.
            DiskSpace.EnsureAvailable(temp, extracted + models);
        }
    }

    private static bool IsNeeded(PackageManifest manifest, PackageFile file, RuntimePackage? wanted) =>
        manifest.Models.Any(m => m.Files.Contains(file.Path, StringComparer.Ordinal))
        || (wanted is not null && manifest.Runtimes.Any(r => r.Path == file.Path && r.Package == wanted.Name && r.Version == wanted.Version));

    /// <summary>Reports a model's copy into the store as the import stage of the package.</summary>
    private sealed class ImportProgress(IProgress<PackageProgress> target, string model) : IProgress<PullProgress>
    {
        public void Report(PullProgress value) =>
            target.Report(new PackageProgress(PackageStage.Importing, model, value.BytesReceived, value.TotalBytes, value.BytesPerSecond, value.EstimatedRemaining));
    }
}
