using System.Formats.Tar;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// Checks an offline package, a folder or a <c>.tar</c> archive, before anything of it is used: the Ed25519 signature
/// over the manifest against the trust store (unsigned, untrusted and revoked keys are refused), every path (no
/// absolute paths, no <c>..</c>, no links), that the package holds exactly the listed files, and each file's size
/// and SHA-256.
/// </summary>
/// <remarks>
/// Thread-safe. Archives are read in one pass and never extracted by <see cref="VerifyAsync(string, bool, IProgress{PackageProgress}?, CancellationToken)"/>;
/// the manifest must be the archive's first entry (as <see cref="PackageBuilder"/> writes it), so it is authenticated
/// before any file is read.
/// </remarks>
public sealed class PackageVerifier
{
    private readonly TrustStore _trust;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="trustStore">The publisher keys this machine trusts.</param>
    /// <param name="logger">Receives the outcome of each check.</param>
    public PackageVerifier(TrustStore trustStore, ILogger<PackageVerifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(trustStore);
        _trust = trustStore;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Verifies the package at <paramref name="path"/>.</summary>
    /// <param name="path">A package folder or a <c>.tar</c> file.</param>
    /// <param name="allowUnsigned">Accepts a package without a signature (its files are still checked against the manifest).</param>
    /// <param name="progress">Receives bytes hashed, rate and time left.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The verified package.</returns>
    /// <exception cref="PackageException">The package is refused; <see cref="PackageException.Problem"/> says why.</exception>
    public Task<VerifiedPackage> VerifyAsync(string path, bool allowUnsigned = false, IProgress<PackageProgress>? progress = null, CancellationToken cancellationToken = default) =>
        VerifyAsync(path, allowUnsigned, new Extraction(null, null, null), progress, cancellationToken);

    /// <summary>
    /// Verifies, extracting the files <see cref="Extraction.Select"/> picks from an archive into <see cref="Extraction.Directory"/>;
    /// <see cref="Extraction.Authenticated"/> sees the manifest once it is authenticated, before any file is read.
    /// </summary>
    internal async Task<VerifiedPackage> VerifyAsync(string path, bool allowUnsigned, Extraction extraction, IProgress<PackageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        try
        {
            VerifiedPackage package = Directory.Exists(full)
                ? await VerifyDirectoryAsync(full, allowUnsigned, extraction, progress, cancellationToken).ConfigureAwait(false)
                : File.Exists(full)
                    ? await VerifyArchiveAsync(full, allowUnsigned, extraction, progress, cancellationToken).ConfigureAwait(false)
                    : throw new PackageException(PackageProblem.NotAPackage, $"There is no package at {full}.");
            _logger.LogInformation(
                "Verified package {Path}: {Files} files, {Bytes} bytes, {Signature}",
                full,
                package.Manifest.Files.Count,
                package.Manifest.TotalBytes,
                package.Publisher is { } p ? $"signed by {p.Key.Name} ({p.Key.KeyId})" : "unsigned (allowed)");
            return package;
        }
        catch (PackageException ex)
        {
            DistributionTelemetry.PackagesRejected.Add(1, new KeyValuePair<string, object?>("problem", ex.Problem.ToString()));
            _logger.LogWarning("Refused package {Path}: {Message}", full, ex.Message);
            throw;
        }
    }

    private async Task<VerifiedPackage> VerifyDirectoryAsync(string root, bool allowUnsigned, Extraction extraction, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        byte[] manifestBytes = await ReadMetadataAsync(root, PackageLayout.ManifestFile, ct).ConfigureAwait(false)
            ?? throw new PackageException(PackageProblem.NotAPackage, $"{root} holds no {PackageLayout.ManifestFile}: it is not an OffGrid package, or its creation did not finish.");
        byte[]? signatureBytes = await ReadMetadataAsync(root, PackageLayout.SignatureFile, ct).ConfigureAwait(false);
        (PackageManifest manifest, TrustedPublisher? publisher) = await AuthenticateAsync(manifestBytes, signatureBytes, allowUnsigned, ct).ConfigureAwait(false);
        extraction.Authenticated?.Invoke(manifest);

        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string relative, FileSystemInfo entry) in Walk(new DirectoryInfo(root), string.Empty))
        {
            if (entry.LinkTarget is not null)
            {
                throw new PackageException(PackageProblem.Link, $"The package holds a link, '{relative}' -> '{entry.LinkTarget}'; packages may hold plain files only. Refusing it.");
            }

            if (entry is FileInfo && !PackageLayout.IsMetadata(relative))
            {
                if (!listed.ContainsKey(relative))
                {
                    throw new PackageException(PackageProblem.ExtraFile, $"The package holds '{relative}', which its manifest does not list; refusing it.");
                }

                present.Add(relative);
            }
        }

        if (manifest.Files.FirstOrDefault(f => !present.Contains(f.Path)) is { } missing)
        {
            throw new PackageException(PackageProblem.MissingFile, $"'{missing.Path}' is listed in the manifest but missing from the package.");
        }

        foreach (PackageFile file in manifest.Files)
        {
            long length = new FileInfo(Path.Combine(root, file.Path)).Length;
            if (length != file.Size)
            {
                throw SizeMismatch(file, length);
            }
        }

        var stage = new StageProgress(progress, PackageStage.Verifying, manifest.TotalBytes);
        foreach (PackageFile file in manifest.Files)
        {
            stage.Item = file.Path;
            (long length, string sha) = await StreamHashing.HashFileAsync(Path.Combine(root, file.Path), stage.Add, ct).ConfigureAwait(false);
            Check(file, length, sha);
        }

        stage.Finish();
        return new VerifiedPackage(root, isArchive: false, manifest, publisher, manifestBytes, signatureBytes, f => Path.Combine(root, f.Path));
    }

    private async Task<VerifiedPackage> VerifyArchiveAsync(string archive, bool allowUnsigned, Extraction extraction, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        var stream = StreamHashing.OpenRead(archive);
        await using (stream.ConfigureAwait(false))
        {
            var reader = new TarReader(stream, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                try
                {
                    return await ReadArchiveAsync(archive, stream, reader, allowUnsigned, extraction, progress, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException)
                {
                    throw new PackageException(PackageProblem.Truncated, $"The archive {archive} is truncated or damaged ({ex.Message}); copy it again.", ex);
                }
            }
        }
    }

    private async Task<VerifiedPackage> ReadArchiveAsync(
        string archive, FileStream stream, TarReader reader, bool allowUnsigned, Extraction extraction, IProgress<PackageProgress>? progress, CancellationToken ct)
    {
        TarEntry? entry;
        try
        {
            entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException)
        {
            entry = null; // not a tar file at all
        }

        if (entry is not { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile, Name: PackageLayout.ManifestFile })
        {
            throw new PackageException(PackageProblem.NotAPackage, $"{archive} does not start with {PackageLayout.ManifestFile}: it is not an OffGrid package archive (create one with 'offgrid package create <file>.tar').");
        }

        byte[] manifestBytes = await ReadEntryAsync(entry, ct).ConfigureAwait(false);
        byte[]? signatureBytes = null;
        entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
        if (entry is { Name: PackageLayout.SignatureFile, EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile })
        {
            signatureBytes = await ReadEntryAsync(entry, ct).ConfigureAwait(false);
            entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
        }

        (PackageManifest manifest, TrustedPublisher? publisher) = await AuthenticateAsync(manifestBytes, signatureBytes, allowUnsigned, ct).ConfigureAwait(false);
        extraction.Authenticated?.Invoke(manifest);
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var extracted = new Dictionary<string, string>(StringComparer.Ordinal);
        var stage = new StageProgress(progress, PackageStage.Verifying, manifest.TotalBytes);
        for (; entry is not null; entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false))
        {
            string name = entry.Name.EndsWith('/') && entry.EntryType == TarEntryType.Directory ? entry.Name.TrimEnd('/') : entry.Name;
            if (!PackageLayout.IsSafePath(name))
            {
                throw new PackageException(PackageProblem.UnsafePath, $"The archive holds an unsafe path '{entry.Name}' (absolute, or leaving the package); refusing it.");
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    continue;
                case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    throw new PackageException(PackageProblem.Link, $"The archive holds a link, '{name}' -> '{entry.LinkName}'; packages may hold plain files only. Refusing it.");
                case not (TarEntryType.RegularFile or TarEntryType.V7RegularFile):
                    throw new PackageException(PackageProblem.Link, $"The archive holds '{name}' of type {entry.EntryType}; packages may hold plain files only. Refusing it.");
            }

            if (!listed.TryGetValue(name, out PackageFile? file) || !seen.Add(name))
            {
                throw new PackageException(PackageProblem.ExtraFile, $"The archive holds '{name}', which its manifest does not list (or lists once); refusing it.");
            }

            if (entry.Length != file.Size)
            {
                throw SizeMismatch(file, entry.Length);
            }

            stage.Item = name;
            string? target = extraction is { Select: { } select, Directory: { } directory } && select(manifest, file) ? Path.Combine(directory, name) : null;
            (long length, string sha) = await HashEntryAsync(entry, target, stage, ct).ConfigureAwait(false);
            if (length != entry.Length)
            {
                throw new PackageException(PackageProblem.Truncated, $"The archive {archive} ends inside '{name}' (truncated); copy it again.");
            }

            Check(file, length, sha);
            if (target is not null)
            {
                extracted[name] = target;
            }
        }

        if (manifest.Files.FirstOrDefault(f => !seen.Contains(f.Path)) is { } missing)
        {
            throw EndsWithMarker(stream)
                ? new PackageException(PackageProblem.MissingFile, $"'{missing.Path}' is listed in the manifest but missing from the archive.")
                : new PackageException(PackageProblem.Truncated, $"The archive {archive} ends before '{missing.Path}' (truncated); copy it again.");
        }

        stage.Finish();
        return new VerifiedPackage(archive, isArchive: true, manifest, publisher, manifestBytes, signatureBytes, f => extracted.GetValueOrDefault(f.Path));
    }

    /// <summary>Checks the signature over the raw manifest bytes before the manifest is parsed, then parses and validates it.</summary>
    private async Task<(PackageManifest Manifest, TrustedPublisher? Publisher)> AuthenticateAsync(byte[] manifestBytes, byte[]? signatureBytes, bool allowUnsigned, CancellationToken ct)
    {
        if (signatureBytes is null)
        {
            if (!allowUnsigned)
            {
                throw new PackageException(PackageProblem.Unsigned, "The package is not signed, so its origin cannot be checked; refusing it. Pass --allow-unsigned to accept unsigned packages.");
            }

            return (PackageManifestParser.Parse(manifestBytes), null);
        }

        SignedManifest.Verdict verdict = await SignedManifest.CheckAsync(manifestBytes, signatureBytes, _trust, ct).ConfigureAwait(false);
        return verdict.Status switch
        {
            SignatureStatus.Trusted => (verdict.Manifest!, verdict.Trusted),
            SignatureStatus.RevokedKey => throw new PackageException(PackageProblem.RevokedKey, verdict.Problem + " Refusing the package."),
            SignatureStatus.UntrustedKey => throw new PackageException(
                PackageProblem.UntrustedKey,
                verdict.Problem + " Confirm the key id with the publisher, then run 'offgrid package key trust <publisher.pub>'."),
            _ => throw new PackageException(PackageProblem.BadSignature, verdict.Problem + " Refusing the package."),
        };
    }

    private static async Task<byte[]?> ReadMetadataAsync(string root, string name, CancellationToken ct)
    {
        var info = new FileInfo(Path.Combine(root, name));
        if (info.LinkTarget is not null)
        {
            throw new PackageException(PackageProblem.Link, $"{name} is a link; packages may hold plain files only. Refusing it.");
        }

        if (!info.Exists)
        {
            return null;
        }

        if (info.Length > PackageLayout.MaxMetadataBytes)
        {
            throw new PackageException(PackageProblem.InvalidManifest, $"{name} is {info.Length} bytes, more than a package's metadata can be; refusing it.");
        }

        return await File.ReadAllBytesAsync(info.FullName, ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadEntryAsync(TarEntry entry, CancellationToken ct)
    {
        if (entry.Length > PackageLayout.MaxMetadataBytes || entry.DataStream is null)
        {
            throw new PackageException(PackageProblem.InvalidManifest, $"{entry.Name} is {entry.Length} bytes, more than a package's metadata can be; refusing it.");
        }

        using var buffer = new MemoryStream((int)entry.Length);
        await entry.DataStream.CopyToAsync(buffer, ct).ConfigureAwait(false);
        if (buffer.Length != entry.Length)
        {
            throw new EndOfStreamException($"{entry.Name} ends after {buffer.Length} of {entry.Length} bytes.");
        }

        return buffer.ToArray();
    }

    private static async Task<(long Length, string Sha256)> HashEntryAsync(TarEntry entry, string? target, StageProgress stage, CancellationToken ct)
    {
        Stream data = entry.DataStream ?? Stream.Null;
        if (target is null)
        {
            return await StreamHashing.CopyAsync(data, null, stage.Add, ct).ConfigureAwait(false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await using (output.ConfigureAwait(false))
        {
            return await StreamHashing.CopyAsync(data, output, stage.Add, ct).ConfigureAwait(false);
        }
    }

    private static void Check(PackageFile file, long length, string sha256)
    {
        if (length != file.Size)
        {
            throw SizeMismatch(file, length);
        }

        if (!sha256.Equals(file.Sha256, StringComparison.Ordinal))
        {
            throw new PackageException(PackageProblem.HashMismatch, $"'{file.Path}' was altered: its SHA-256 is {sha256}, the signed manifest says {file.Sha256}. Refusing the package.");
        }
    }

    private static PackageException SizeMismatch(PackageFile file, long actual) =>
        new(PackageProblem.SizeMismatch, $"'{file.Path}' is {actual} bytes, but the manifest says {file.Size}; refusing the package.");

    /// <summary>Gets a value indicating whether the archive ends with the two zero blocks that close a tar file.</summary>
    private static bool EndsWithMarker(FileStream stream)
    {
        if (stream.Length < 1024)
        {
            return false;
        }

        byte[] tail = new byte[1024];
        stream.Seek(-1024, SeekOrigin.End);
        stream.ReadExactly(tail);
        return !tail.AsSpan().ContainsAnyExcept((byte)0);
    }

    /// <summary>Lists every entry below <paramref name="directory"/> with its path relative to the package root; links are listed, never followed.</summary>
    private static IEnumerable<(string Relative, FileSystemInfo Entry)> Walk(DirectoryInfo directory, string prefix)
    {
        foreach (FileSystemInfo entry in directory.EnumerateFileSystemInfos())
        {
            string relative = prefix + entry.Name;
            yield return (relative, entry);
            if (entry is DirectoryInfo sub && entry.LinkTarget is null)
            {
                foreach ((string, FileSystemInfo) inner in Walk(sub, relative + "/"))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>What an import wants from verification: a look at the authenticated manifest, and which archive files to extract where.</summary>
    internal sealed record Extraction(Action<PackageManifest>? Authenticated, Func<PackageManifest, PackageFile, bool>? Select, string? Directory);
}
