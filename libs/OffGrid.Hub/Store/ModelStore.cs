using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;

namespace OffGrid.Hub.Store;

/// <summary>
/// The local model store (<c>~/.offgrid/models</c> by default): one folder per model with its GGUF files and a
/// <c>manifest.json</c>. Pulls resolve a reference (alias, repository, file or local path), choose the best variant,
/// download and verify it, and only then make it visible, so a listing never shows a half-written model.
/// </summary>
/// <remarks>
/// Thread-safe. Concurrent pulls of the same model wait for each other (and share the download), also across processes
/// that share the folder; staged files live in <c>.staging</c> so that an interrupted pull resumes.
/// </remarks>
public sealed partial class ModelStore
{
    private const string ManifestFileName = "manifest.json";
    private const string StagingFolder = ".staging";
    private const string LocksFolder = ".locks";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_modelLocks = new(StringComparer.Ordinal);
    private static readonly TimeSpan s_lockPoll = TimeSpan.FromMilliseconds(100);
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly FileDownloader _downloader;
    private readonly HuggingFaceClient _hub;
    private readonly ModelAliasCatalog _aliases;
    private readonly QuantizationRanker _ranker;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="modelsDirectory">The store folder.</param>
    /// <param name="downloader">Downloads model files.</param>
    /// <param name="hub">Lists repositories and builds download requests.</param>
    /// <param name="aliases">Resolves short names.</param>
    /// <param name="ranker">Chooses the variant to download.</param>
    /// <param name="logger">Receives diagnostics.</param>
    public ModelStore(string modelsDirectory, FileDownloader downloader, HuggingFaceClient hub, ModelAliasCatalog aliases, QuantizationRanker ranker, ILogger<ModelStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelsDirectory);
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(ranker);
        RootDirectory = Path.GetFullPath(modelsDirectory);
        _downloader = downloader;
        _hub = hub;
        _aliases = aliases;
        _ranker = ranker;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the store folder.</summary>
    public string RootDirectory { get; }

    /// <summary>Lists the stored models, by name.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The manifests.</returns>
    public async Task<IReadOnlyList<ModelManifest>> ListAsync(CancellationToken cancellationToken = default)
    {
        var manifests = new List<ModelManifest>();
        if (!Directory.Exists(RootDirectory))
        {
            return manifests;
        }

        foreach (string dir in Directory.EnumerateDirectories(RootDirectory))
        {
            if (!Path.GetFileName(dir).StartsWith('.') && await TryReadManifestAsync(dir, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                manifests.Add(manifest);
            }
        }

        return manifests.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Finds a stored model by its store name, by the last part of its store name when only one model has it
    /// (<c>stories260K</c> for <c>local/stories260K</c>), or by a reference (alias, <c>owner/repo[:quant]</c>,
    /// repository file) that a stored model was pulled from.
    /// </summary>
    /// <param name="nameOrReference">A store name or a reference.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The manifest, or <see langword="null"/> when no stored model matches.</returns>
    public async Task<ModelManifest?> FindAsync(string nameOrReference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrReference);
        IReadOnlyList<ModelManifest> all = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (all.FirstOrDefault(m => m.Name.Equals(nameOrReference, StringComparison.OrdinalIgnoreCase)) is { } byName)
        {
            return byName;
        }

        // A stored model answers to the last part of its name ("stories260K" for "local/stories260K") when that is
        // unambiguous, before any alias: what is on this machine wins over what could be downloaded.
        if (!nameOrReference.Contains('/', StringComparison.Ordinal)
            && all.Where(m => m.Name[(m.Name.LastIndexOf('/') + 1)..].Equals(nameOrReference, StringComparison.OrdinalIgnoreCase)).ToList() is [{ } byShortName])
        {
            return byShortName;
        }

        if (!ModelReference.TryParse(nameOrReference, out ModelReference? reference))
        {
            return null;
        }

        try
        {
            reference = _aliases.Resolve(reference);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }

        return reference.Kind switch
        {
            ModelReferenceKind.RepositoryFile => all.FirstOrDefault(m => m.Name.Equals(NameFor(reference, null), StringComparison.OrdinalIgnoreCase)),
            ModelReferenceKind.Repository => all.Where(m => string.Equals(m.Repository, reference.Repository, StringComparison.OrdinalIgnoreCase)
                    && (reference.Quantization is null || string.Equals(m.Quantization, reference.Quantization, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(m => QuantizationType.TryParse(m.Quantization, out QuantizationType? q) ? q.PreferenceRank : int.MaxValue)
                .FirstOrDefault(),
            ModelReferenceKind.LocalFile => all.FirstOrDefault(m => m.Files.Any(f => m.GetFullPath(f) == reference.LocalPath)),
            _ => null,
        };
    }

    /// <summary>Reads the GGUF header of a stored model without loading it.</summary>
    /// <param name="manifest">The stored model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The header.</returns>
    public Task<GgufFile> ReadHeaderAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return GgufFile.ReadAsync(manifest.PrimaryFilePath, cancellationToken);
    }

    /// <summary>Removes a stored model (for a model imported by reference, only the manifest; the original file stays).</summary>
    /// <param name="nameOrReference">A store name or reference.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns><see langword="true"/> when a model was removed.</returns>
    public async Task<bool> RemoveAsync(string nameOrReference, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(nameOrReference, cancellationToken).ConfigureAwait(false) is not { Directory: { } dir } manifest)
        {
            return false;
        }

        using (await LockAsync(manifest.Name, cancellationToken).ConfigureAwait(false))
        {
            // Renaming first makes the removal atomic for readers: the model disappears at once, then the files go.
            string doomed = Path.Combine(RootDirectory, StagingFolder, "removed-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.GetDirectoryName(doomed)!);
            Directory.Move(dir, doomed);
            Directory.Delete(doomed, recursive: true);
            _logger.LogInformation("Removed {Model}", manifest.Name);
            return true;
        }
    }

    /// <summary>Adds a GGUF model from this machine to the store; a split model comes in whole, whichever part is named.</summary>
    /// <param name="path">The GGUF file; for a split model, any of its parts.</param>
    /// <param name="name">The store name; <c>local/&lt;file name&gt;</c> when <see langword="null"/> (without the part numbers of a split model, <see cref="ModelNames.Local"/>).</param>
    /// <param name="copy">Copies the files into the store when true; otherwise the manifest refers to them where they are.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The new manifest.</returns>
    /// <exception cref="GgufFormatException">The file is neither a valid GGUF file nor another model format the store knows (whisper.cpp GGML, ONNX), or a part of a split model is missing or corrupt.</exception>
    /// <exception cref="InvalidModelNameException"><paramref name="name"/> is not one the store takes (<see cref="ModelNames"/>); a name made from the file name always is.</exception>
    public async Task<ModelManifest> ImportAsync(string path, string? name = null, bool copy = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (ModelManifest described, IReadOnlyList<string> parts) = await DescribeAsync(Path.GetFullPath(path), new ModelManifest { Name = string.Empty, Files = [] }, cancellationToken).ConfigureAwait(false);
        name ??= ModelNames.Local(SplitPartSuffix().Replace(Path.GetFileNameWithoutExtension(parts[0]), string.Empty));
        ModelNames.ThrowIfInvalid(name);
        if (copy)
        {
            return await CopyInAsync(parts, name, onlyIfNew: false, cancellationToken).ConfigureAwait(false);
        }

        using (await LockAsync(name, cancellationToken).ConfigureAwait(false))
        {
            string staging = StagingDirectoryFor(name);
            Directory.CreateDirectory(staging);
            var entries = new List<ModelFileEntry>();
            foreach (string source in parts)
            {
                string sha = await FileHashing.Sha256HexAsync(source, cancellationToken).ConfigureAwait(false);
                entries.Add(new ModelFileEntry(source, new FileInfo(source).Length, sha));
            }

            ModelManifest manifest = described with
            {
                Name = name,
                Files = entries,
                IsReference = true,
                DownloadedAt = DateTimeOffset.UtcNow,
            };
            return await PublishAsync(manifest, staging, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies a GGUF model from this machine into the store under a name no model holds yet. Writers of one name — in this
    /// process or in others sharing the store, such as the CLI and the server — take turns, and whoever comes second
    /// finds the name taken: exactly one of them stores its model.
    /// </summary>
    /// <param name="path">The GGUF file; for a split model, any of its parts.</param>
    /// <param name="name">The new store name.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The new manifest.</returns>
    /// <exception cref="ModelExistsException">The store already holds a model named <paramref name="name"/>; nothing was changed.</exception>
    /// <exception cref="GgufFormatException">The file is not a model format the store knows, or a part of a split model is missing or corrupt.</exception>
    /// <exception cref="InvalidModelNameException"><paramref name="name"/> is not one the store takes (<see cref="ModelNames"/>).</exception>
    public async Task<ModelManifest> ImportNewAsync(string path, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(name);
        (_, IReadOnlyList<string> parts) = await DescribeAsync(Path.GetFullPath(path), new ModelManifest { Name = string.Empty, Files = [] }, cancellationToken).ConfigureAwait(false);
        return await CopyInAsync(parts, name, onlyIfNew: true, cancellationToken).ConfigureAwait(false);
    }

    private Task<ModelManifest> CopyInAsync(IReadOnlyList<string> parts, string name, bool onlyIfNew, CancellationToken ct)
    {
        List<StagedFile> files = [.. parts.Select(p => new StagedFile(Path.GetFileName(p), null, null))];
        return AddAsync(new ModelManifest { Name = name, Files = [] }, files, CopyFrom(f => parts[files.IndexOf(f)]), keepStagingOnFailure: false, null, ct, onlyIfNew);
    }

    /// <summary>
    /// Adds a model whose files are on this machine (for example in a verified offline package): each file is copied
    /// into the store's staging folder while its SHA-256 is computed and checked against <see cref="ModelImportFile.Size"/>
    /// and <see cref="ModelImportFile.Sha256"/>, the GGUF header is read, and only then does the model appear, in one
    /// rename. On any failure the staged copy is deleted, so the store never holds a half-imported model. A model already
    /// stored under the name with the same files is returned at once.
    /// </summary>
    /// <param name="model">The model and the size and digest of each file.</param>
    /// <param name="sourcePathOf">Gives the local path of each file.</param>
    /// <param name="progress">Receives bytes copied, rate and time left.</param>
    /// <param name="cancellationToken">Cancels the import; the staged copy is deleted.</param>
    /// <returns>The stored model.</returns>
    /// <exception cref="InvalidModelNameException">The name is not one the store takes (<see cref="ModelNames"/>); nothing was stored.</exception>
    /// <exception cref="ArgumentException">A path is unsafe or repeated, or a digest is malformed.</exception>
    /// <exception cref="DownloadIntegrityException">A file's size or SHA-256 does not match; nothing was stored.</exception>
    /// <exception cref="InsufficientDiskSpaceException">The store's disk cannot hold the model; nothing was stored.</exception>
    /// <exception cref="GgufFormatException">The first file is not a valid GGUF file; nothing was stored.</exception>
    public Task<ModelManifest> ImportAsync(ModelImport model, Func<ModelImportFile, string> sourcePathOf, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePathOf);
        IReadOnlyList<StagedFile> files = Validate(model);
        Func<StagedFile, string> source = f => sourcePathOf(model.Files[IndexOf(files, f)]);
        return AddAsync(Template(model), files, CopyFrom(source), keepStagingOnFailure: false, progress, cancellationToken);
    }

    /// <summary>
    /// Adds a model by downloading its files with <paramref name="downloader"/> (for example from LAN peers): each file
    /// is fetched into the store's staging folder, checked against <see cref="ModelImportFile.Size"/> and
    /// <see cref="ModelImportFile.Sha256"/> before it can enter the store, the GGUF header is read, and the model appears
    /// in one rename. Network failures keep the staged bytes, so the next call with the same model resumes.
    /// </summary>
    /// <param name="model">The model and the size and digest of each file.</param>
    /// <param name="downloader">Fetches each file (its HTTP client carries any authentication the sources need).</param>
    /// <param name="createRequest">Builds the request for a file and the staging path it must be written to.</param>
    /// <param name="progress">Receives the stage, and bytes with rate and time left while downloading.</param>
    /// <param name="cancellationToken">Cancels the download; downloaded bytes are kept for the next attempt.</param>
    /// <returns>The stored model and each file's download (none when the model was already stored).</returns>
    /// <exception cref="InvalidModelNameException">The name is not one the store takes (<see cref="ModelNames"/>); nothing was stored.</exception>
    /// <exception cref="ArgumentException">A path is unsafe or repeated, or a digest is malformed.</exception>
    /// <exception cref="DownloadIntegrityException">A file's size or SHA-256 does not match; its bytes were discarded.</exception>
    /// <exception cref="InsufficientDiskSpaceException">The store's disk cannot hold the model.</exception>
    /// <exception cref="HubHttpException">Every source refused.</exception>
    /// <exception cref="GgufFormatException">The first file is not a valid GGUF file; nothing was stored.</exception>
    public async Task<ModelDownloadResult> DownloadAsync(ModelImport model, FileDownloader downloader, Func<ModelImportFile, string, DownloadRequest> createRequest, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(createRequest);
        IReadOnlyList<StagedFile> files = Validate(model);
        Func<StagedFile, string, DownloadRequest> request = (f, destination) => createRequest(model.Files[IndexOf(files, f)], destination) is { } r && Path.GetFullPath(r.DestinationPath) == Path.GetFullPath(destination)
            ? r
            : throw new InvalidOperationException("The download request must write to the staging path it was given.");
        var downloads = new List<DownloadResult>();
        ModelManifest manifest = await AddAsync(Template(model), files, DownloadWith(downloader, request, downloads), keepStagingOnFailure: true, progress, cancellationToken).ConfigureAwait(false);
        return new ModelDownloadResult(manifest, downloads);
    }

    /// <summary>Checks that every file of a stored model is present with the recorded size and SHA-256, and that its header reads.</summary>
    /// <param name="nameOrReference">A store name or reference.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The findings.</returns>
    /// <exception cref="KeyNotFoundException">No such model is stored.</exception>
    public async Task<ModelVerification> VerifyAsync(string nameOrReference, CancellationToken cancellationToken = default)
    {
        ModelManifest manifest = await FindAsync(nameOrReference, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No stored model matches '{nameOrReference}'.");
        var problems = new List<string>();
        foreach (ModelFileEntry file in manifest.Files)
        {
            string full = manifest.GetFullPath(file);
            if (!File.Exists(full))
            {
                problems.Add($"{file.Path}: missing");
                continue;
            }

            long length = new FileInfo(full).Length;
            if (length != file.Size)
            {
                problems.Add($"{file.Path}: {length} bytes, {file.Size} expected");
                continue;
            }

            string sha = await FileHashing.Sha256HexAsync(full, cancellationToken).ConfigureAwait(false);
            if (!sha.Equals(file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{file.Path}: sha256 {sha}, {file.Sha256} expected");
            }
        }

        if (problems.Count == 0 && ModelFileKinds.Detect(manifest.PrimaryFilePath) == ModelFileKind.Gguf)
        {
            try
            {
                await ReadHeaderAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
            catch (GgufFormatException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return new ModelVerification(manifest.Name, problems);
    }

    /// <summary>
    /// Makes a model available locally: resolves the reference (alias → repository → best variant for this
    /// machine's memory, or the quantization asked for), downloads and verifies every file, reads the header and
    /// writes the manifest. A model already stored is returned at once.
    /// </summary>
    /// <param name="reference">An alias (<c>llama3.2[:quant]</c>), <c>owner/repo[:quant]</c>, <c>owner/repo/file.gguf</c> or a local path.</param>
    /// <param name="progress">Receives the stage, and bytes with rate and ETA while downloading.</param>
    /// <param name="cancellationToken">Cancels the pull; downloaded bytes are kept for the next attempt.</param>
    /// <returns>The stored model.</returns>
    /// <exception cref="InvalidModelReferenceException"><paramref name="reference"/> is not a model reference.</exception>
    /// <exception cref="ModelNotFoundException">The alias is unknown, or the repository has no matching variant.</exception>
    /// <exception cref="HubHttpException">The Hub refused a request (401, 403, 404, 429).</exception>
    /// <exception cref="HostUnreachableException">The Hub or the file server could not be reached (this machine is offline).</exception>
    /// <exception cref="DownloadIntegrityException">A file did not match its size or SHA-256.</exception>
    public async Task<ModelManifest> PullAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        progress?.Report(new PullProgress(PullStatus.Resolving, $"resolving {reference}"));
        ModelReference resolved;
        try
        {
            resolved = _aliases.Resolve(ModelReference.Parse(reference));
        }
        catch (KeyNotFoundException ex)
        {
            throw new ModelNotFoundException(reference, ex.Message, canPull: false);
        }

        if (resolved.Kind == ModelReferenceKind.LocalFile)
        {
            ModelManifest imported = await FindAsync(resolved.LocalPath!, cancellationToken).ConfigureAwait(false)
                ?? await ImportAsync(resolved.LocalPath!, copy: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            progress?.Report(new PullProgress(PullStatus.Done, imported.Name, imported.SizeBytes, imported.SizeBytes));
            return imported;
        }

        try
        {
            return await PullFromHubAsync(resolved, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HostUnreachableException ex)
        {
            throw ex.For($"the model '{reference}'", OfflineAdvice(resolved));
        }
    }

    /// <summary>What works without the Hub for the kind of model <paramref name="reference"/> names: a GGUF model, a Whisper model or a Piper voice.</summary>
    private static string OfflineAdvice(ModelReference reference) => Path.GetExtension(reference.FilePath ?? string.Empty).ToLowerInvariant() switch
    {
        ".bin" =>
            "Offline, pass a local whisper.cpp model file (offgrid transcribe audio.wav --model ./ggml-base.bin), " +
            "import one into the model store (offgrid pull ./ggml-base.bin), or set HF_ENDPOINT to a mirror this machine can reach.",
        ".onnx" =>
            "Offline, speak with an espeak-ng voice (offgrid say --voice espeak:en-us), which needs no download, " +
            "or set HF_ENDPOINT to a mirror this machine can reach.",
        _ => HostUnreachableException.ModelOfflineAdvice,
    };

    private async Task<ModelManifest> PullFromHubAsync(ModelReference resolved, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        string repository = resolved.Repository!;
        IReadOnlyList<HubRepoFile> files = await _hub.GetFilesAsync(repository, resolved.Revision, cancellationToken).ConfigureAwait(false);
        (ModelVariant variant, List<HubRepoFile> parts) = ChooseVariant(resolved, files);
        string name = NameFor(resolved, variant);
        progress?.Report(new PullProgress(PullStatus.Resolving, $"{name}: {variant}", TotalBytes: variant.SizeBytes));

        var template = new ModelManifest { Name = name, Repository = repository, Revision = resolved.Revision, Quantization = variant.Quantization?.ToString(), Files = [] };
        List<StagedFile> staged = parts.Select(p => new StagedFile(Path.GetFileName(p.Path), p.Size > 0 ? p.Size : null, p.Sha256)).ToList();
        DownloadRequest RequestFor(StagedFile file, string destination) =>
            _hub.CreateDownloadRequest(repository, resolved.Revision, parts[staged.IndexOf(file)], destination);
        ModelManifest manifest = await AddAsync(template, staged, DownloadWith(_downloader, RequestFor, null), keepStagingOnFailure: true, progress, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Pulled {Model} ({Bytes} bytes)", name, manifest.SizeBytes);
        return manifest;
    }

    /// <summary>
    /// The one way files enter the store: under the model's lock, each file is fetched into the staging folder, its size
    /// and digest are checked (when known), the GGUF header is read, and the folder is published in one rename.
    /// </summary>
    private async Task<ModelManifest> AddAsync(
        ModelManifest template, IReadOnlyList<StagedFile> files, FetchFile fetch, bool keepStagingOnFailure, IProgress<PullProgress>? progress, CancellationToken ct, bool onlyIfNew = false)
    {
        string name = template.Name;
        ModelNames.ThrowIfInvalid(name);
        long? total = files.All(f => f.Size is not null) ? files.Sum(f => f.Size!.Value) : null;
        using (await LockAsync(name, ct).ConfigureAwait(false))
        {
            ModelManifest? stored = await FindAsync(name, ct).ConfigureAwait(false);
            if (onlyIfNew && stored is not null)
            {
                throw new ModelExistsException($"The store already holds a model named '{stored.Name}'.");
            }

            if (stored is { IsReference: false } existing
                && files.All(f => f.Sha256 is not null)
                && existing.Files.Select(f => f.Sha256).SequenceEqual(files.Select(f => f.Sha256!), StringComparer.OrdinalIgnoreCase))
            {
                progress?.Report(new PullProgress(PullStatus.Done, name, existing.SizeBytes, existing.SizeBytes));
                return existing;
            }

            string staging = StagingDirectoryFor(name);
            if (total is { } needed)
            {
                long staged = Directory.Exists(staging) ? Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
                DiskSpace.EnsureAvailable(RootDirectory, needed - staged);
            }

            Directory.CreateDirectory(staging);
            try
            {
                var entries = new List<ModelFileEntry>();
                long done = 0;
                foreach (StagedFile file in files)
                {
                    string destination = Path.Combine(staging, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    long before = done;
                    var fileProgress = progress is null ? null : new CallbackProgress<DownloadProgress>(p => progress.Report(new PullProgress(
                        PullStatus.Downloading, file.Path, before + p.BytesReceived, total, p.BytesPerSecond,
                        total is { } t && p.BytesPerSecond > 0 ? TimeSpan.FromSeconds((t - before - p.BytesReceived) / p.BytesPerSecond) : null)));
                    (long length, string sha) = await fetch(file, destination, fileProgress, ct).ConfigureAwait(false);
                    string? problem = file.Size is { } size && size != length ? $"{length} bytes, {size} expected"
                        : file.Sha256 is { } expected && !expected.Equals(sha, StringComparison.OrdinalIgnoreCase) ? $"sha256 {sha}, {expected} expected"
                        : null;
                    if (problem is not null)
                    {
                        File.Delete(destination);
                        throw new DownloadIntegrityException($"{file.Path} of {name} is corrupt: {problem}. Nothing was stored.");
                    }

                    entries.Add(new ModelFileEntry(file.Path, length, sha));
                    done += length;
                }

                progress?.Report(new PullProgress(PullStatus.Verifying, name, done, total));
                (ModelManifest manifest, _) = await DescribeAsync(Path.Combine(staging, entries[0].Path), template with { Files = entries, DownloadedAt = DateTimeOffset.UtcNow }, ct).ConfigureAwait(false);
                manifest = await PublishAsync(manifest, staging, ct).ConfigureAwait(false);
                progress?.Report(new PullProgress(PullStatus.Done, name, done, total));
                return manifest;
            }
            catch (Exception ex) when (!keepStagingOnFailure || ex is GgufFormatException or DownloadIntegrityException || DiskSpace.IsDiskFull(ex))
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }

                if (DiskSpace.IsDiskFull(ex) && ex is not InsufficientDiskSpaceException)
                {
                    throw new InsufficientDiskSpaceException($"The disk holding {RootDirectory} filled up while adding {name}; nothing was stored.", ex);
                }

                throw;
            }
        }
    }

    private static FetchFile CopyFrom(Func<StagedFile, string> sourcePathOf) => async (file, destination, progress, ct) =>
    {
        string source = sourcePathOf(file);
        var tracker = new ProgressTracker(progress, TimeSpan.FromMilliseconds(250)) { Total = new FileInfo(source).Length };
        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (input.ConfigureAwait(false))
            {
                var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                await using (output.ConfigureAwait(false))
                {
                    int read;
                    long length = 0;
                    while ((read = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        hasher.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                        length += read;
                        tracker.Add(read);
                    }

                    tracker.Report(force: true);
                    return (length, Convert.ToHexStringLower(hasher.GetHashAndReset()));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    };

    private static FetchFile DownloadWith(FileDownloader downloader, Func<StagedFile, string, DownloadRequest> requestFor, List<DownloadResult>? results) => async (file, destination, progress, ct) =>
    {
        DownloadResult result = await downloader.DownloadAsync(requestFor(file, destination), progress, ct).ConfigureAwait(false);
        results?.Add(result);
        return (result.Length, result.Sha256 ?? await FileHashing.Sha256HexAsync(result.Path, ct).ConfigureAwait(false));
    };

    private static IReadOnlyList<StagedFile> Validate(ModelImport model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelNames.ThrowIfInvalid(model.Name);
        if (model.Files is not { Count: > 0 })
        {
            throw new ArgumentException($"The model {model.Name} lists no files.", nameof(model));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelImportFile file in model.Files)
        {
            if (!RepositoryPath.IsSafe(file.Path) || !seen.Add(file.Path))
            {
                throw new ArgumentException($"The file path '{file.Path}' of {model.Name} is not a plain relative path, or is repeated.", nameof(model));
            }

            if (file.Size < 0 || file.Sha256 is not { Length: 64 } || !file.Sha256.All(char.IsAsciiHexDigit))
            {
                throw new ArgumentException($"{file.Path} of {model.Name} needs a size of at least 0 and a SHA-256 of 64 hexadecimal digits.", nameof(model));
            }
        }

        return model.Files.Select(f => new StagedFile(f.Path, f.Size, f.Sha256.ToLowerInvariant())).ToList();
    }

    private static int IndexOf(IReadOnlyList<StagedFile> files, StagedFile file)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (ReferenceEquals(files[i], file))
            {
                return i;
            }
        }

        throw new InvalidOperationException("The file is not part of the model.");
    }

    private static ModelManifest Template(ModelImport model) => new()
    {
        Name = model.Name,
        Repository = model.Repository,
        Revision = model.Revision,
        Quantization = model.Quantization,
        Files = [],
    };

    private (ModelVariant Variant, List<HubRepoFile> Parts) ChooseVariant(ModelReference reference, IReadOnlyList<HubRepoFile> files)
    {
        IReadOnlyList<ModelVariant> variants = ModelVariant.FromFiles(files.Select(f => (f.Path, f.Size)));
        ModelVariant? chosen = reference.Kind == ModelReferenceKind.RepositoryFile
            ? variants.FirstOrDefault(v => v.Files.Contains(reference.FilePath!, StringComparer.Ordinal))
                ?? (files.FirstOrDefault(f => f.Path == reference.FilePath) is { } single ? new ModelVariant([single.Path], single.Size) : null)
            : _ranker.SelectBest(variants, reference.Quantization);
        if (chosen is null)
        {
            string available = variants.Count == 0 ? "no GGUF files" : string.Join(", ", variants.Select(v => $"{v.Quantization?.ToString() ?? v.Name} ({v.SizeBytes / (1 << 20)} MiB)"));
            string wanted = reference.FilePath ?? reference.Quantization ?? $"a variant that fits in {_ranker.MemoryBudgetBytes / (1 << 20)} MiB";
            throw new ModelNotFoundException(reference.ToString(), $"{reference.Repository} has no {wanted}; it offers {available}.", canPull: false);
        }

        var byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        List<HubRepoFile> parts = chosen.Files.Select(f => byPath[RepositoryPath.EnsureSafe(f)]).ToList();

        // A model file's JSON sidecar (a Piper voice's x.onnx.json: sample rate, phoneme map) belongs to it.
        if (reference.Kind == ModelReferenceKind.RepositoryFile && byPath.TryGetValue(reference.FilePath + ".json", out HubRepoFile? sidecar))
        {
            parts.Add(sidecar);
        }

        return (chosen, parts);
    }

    private static string NameFor(ModelReference reference, ModelVariant? variant) => reference.Kind == ModelReferenceKind.RepositoryFile
        ? reference.Repository + "/" + reference.FilePath
        : reference.Repository + ":" + (variant?.Quantization?.ToString() ?? Path.GetFileNameWithoutExtension(variant?.Name ?? "default"));

    /// <summary>
    /// Fills the manifest's facts from the model file (the GGUF header, or the format of a non-GGUF model file) and
    /// lists the files that make up the model: every part of a split GGUF model, otherwise the file itself.
    /// </summary>
    /// <exception cref="GgufFormatException">The file is in none of the formats the store keeps.</exception>
    private static async Task<(ModelManifest Manifest, IReadOnlyList<string> Parts)> DescribeAsync(string path, ModelManifest manifest, CancellationToken ct)
    {
        switch (ModelFileKinds.Detect(path))
        {
            case ModelFileKind.WhisperGgml:
                return (manifest with { Architecture = ModelFileKinds.WhisperArchitecture }, [path]);
            case ModelFileKind.Onnx:
                return (manifest with { Architecture = ModelFileKinds.OnnxArchitecture }, [path]);
        }

        GgufFile header = await GgufFile.ReadAsync(path, ct).ConfigureAwait(false);
        return (manifest with
        {
            Quantization = manifest.Quantization ?? header.QuantizationLabel,
            Architecture = header.Architecture,
            ParameterCount = header.ParameterCount,
            ContextLength = header.ContextLength,
            HasChatTemplate = header.ChatTemplate is not null,
        }, header.PartPaths);
    }

    /// <summary>Writes the manifest into the staging folder and swaps the folder into place in one rename.</summary>
    private async Task<ModelManifest> PublishAsync(ModelManifest manifest, string staging, CancellationToken ct)
    {
        await File.WriteAllBytesAsync(Path.Combine(staging, ManifestFileName), JsonSerializer.SerializeToUtf8Bytes(manifest, s_json), ct).ConfigureAwait(false);
        string final = Path.Combine(RootDirectory, DirectoryNameFor(manifest.Name));
        if (Directory.Exists(final))
        {
            string old = Path.Combine(RootDirectory, StagingFolder, "replaced-" + Guid.NewGuid().ToString("N"));
            Directory.Move(final, old);
            Directory.Move(staging, final);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(staging, final);
        }

        return manifest with { Directory = final };
    }

    private static async Task<ModelManifest?> TryReadManifestAsync(string dir, CancellationToken ct)
    {
        string path = Path.Combine(dir, ManifestFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            ModelManifest? manifest = JsonSerializer.Deserialize<ModelManifest>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), s_json);
            return manifest is { Files.Count: > 0 } && manifest.Files.All(f => Path.IsPathRooted(f.Path) || RepositoryPath.IsSafe(f.Path))
                ? manifest with { Directory = dir }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string StagingDirectoryFor(string name) => Path.Combine(RootDirectory, StagingFolder, DirectoryNameFor(name));

    /// <summary>Maps a model name to one safe folder name: letters, digits, '.', '_' and '-' stay; '/' becomes "--", ':' becomes "__".</summary>
    private static string DirectoryNameFor(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            sb.Append(c switch
            {
                '/' => "--",
                ':' => "__",
                _ when char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' => c.ToString(),
                _ => "_",
            });
        }

        string result = sb.ToString().TrimStart('.');
        return result.Length == 0 ? "_" : result;
    }

    // One writer of a name at a time: a semaphore within this process, and an exclusive open of a lock file for the other
    // processes that share the store (the CLI, the server); on Unix that is an advisory lock, released when a process dies.
    private async Task<IDisposable> LockAsync(string name, CancellationToken ct)
    {
        string key = name.ToUpperInvariant();
        SemaphoreSlim gate = s_modelLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Kept after use: deleting a lock file another writer has open would let a third writer lock a new one beside it.
            string lockFile = Path.Combine(RootDirectory, LocksFolder, DirectoryNameFor(key) + ".lock");
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            while (true)
            {
                try
                {
                    return new Releaser(gate, new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (File.Exists(lockFile))
                {
                    await Task.Delay(s_lockPoll, ct).ConfigureAwait(false); // another process writes this model
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>Puts one file at <c>destination</c> and returns its length and SHA-256 (lower-case hex).</summary>
    private delegate Task<(long Length, string Sha256)> FetchFile(StagedFile file, string destination, IProgress<DownloadProgress>? progress, CancellationToken ct);

    /// <summary>A file on its way into the store, with the size and digest it must have when they are known.</summary>
    private sealed record StagedFile(string Path, long? Size, string? Sha256);

    [System.Text.RegularExpressions.GeneratedRegex(@"-\d{5}-of-\d{5}$")]
    private static partial System.Text.RegularExpressions.Regex SplitPartSuffix();

    private sealed class Releaser(SemaphoreSlim gate, FileStream lockFile) : IDisposable
    {
        public void Dispose()
        {
            lockFile.Dispose();
            gate.Release();
        }
    }
}
