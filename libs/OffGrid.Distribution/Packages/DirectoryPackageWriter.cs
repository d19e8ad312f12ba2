using System.Security.Cryptography;
using OffGrid.Hub.Downloads;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// Writes a package into a folder (a USB stick, a network share) so that an interrupted run resumes: each file is
/// written as <c>&lt;file&gt;.partial</c> and renamed when its SHA-256 checks out; a rerun keeps finished files whose
/// digest matches and continues partial ones from where they stopped. The manifest is written last, so a folder
/// without it is recognisably unfinished.
/// </summary>
internal static class DirectoryPackageWriter
{
    private const string PartialSuffix = ".partial";

    /// <summary>Writes the package; returns whether bytes of an earlier run were reused.</summary>
    public static async Task<bool> WriteAsync(string root, IReadOnlyList<PackageItem> items, byte[] manifest, byte[]? signature, StageProgress progress, CancellationToken ct)
    {
        if (File.Exists(root))
        {
            throw new PackageException(PackageProblem.InvalidRequest, $"{root} is a file; give a folder, or a name ending in .tar for an archive.");
        }

        if (File.Exists(Path.Combine(root, PackageLayout.ManifestFile)))
        {
            throw new PackageException(PackageProblem.InvalidRequest, $"{root} already holds a finished package; choose an empty folder.");
        }

        long present = Directory.Exists(root) ? CheckFolderHoldsOnlyThisPackage(root, items) : 0;
        DiskSpace.EnsureAvailable(root, items.Sum(i => i.Size) - present + manifest.Length + (signature?.Length ?? 0));
        Directory.CreateDirectory(root);
        bool resumed = false;
        try
        {
            foreach (PackageItem item in items)
            {
                progress.Item = item.Path;
                resumed |= await WriteFileAsync(root, item, progress, ct).ConfigureAwait(false);
            }

            if (signature is not null)
            {
                await WriteAtomicallyAsync(Path.Combine(root, PackageLayout.SignatureFile), signature, ct).ConfigureAwait(false);
            }

            await WriteAtomicallyAsync(Path.Combine(root, PackageLayout.ManifestFile), manifest, ct).ConfigureAwait(false);
        }
        catch (IOException ex) when (DiskSpace.IsDiskFull(ex) && ex is not InsufficientDiskSpaceException)
        {
            throw new InsufficientDiskSpaceException($"The disk holding {root} is full. The unfinished package is kept: free some space and run the same command again to resume.", ex);
        }

        progress.Finish();
        return resumed;
    }

    /// <summary>Refuses a folder holding anything but this package's (partial) files; returns the bytes already there.</summary>
    private static long CheckFolderHoldsOnlyThisPackage(string root, IReadOnlyList<PackageItem> items)
    {
        var expected = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [PackageLayout.ManifestFile + ".tmp"] = 0,
            [PackageLayout.SignatureFile + ".tmp"] = 0,
        };
        foreach (PackageItem item in items)
        {
            expected[item.Path] = item.Size;
            expected[item.Path + PartialSuffix] = item.Size;
        }

        long present = 0;
        foreach (FileSystemInfo entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string relative = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
            if (entry.LinkTarget is not null || (entry is FileInfo && !expected.ContainsKey(relative)))
            {
                throw new PackageException(PackageProblem.InvalidRequest, $"{root} is not empty: it holds '{relative}'. Choose an empty folder (or the folder of an interrupted run of this package).");
            }

            if (entry is FileInfo file && expected.TryGetValue(relative, out long size))
            {
                present += Math.Min(file.Length, size);
            }
        }

        return present;
    }

    /// <summary>Writes one file, reusing what an earlier run left; returns whether anything was reused.</summary>
    private static async Task<bool> WriteFileAsync(string root, PackageItem item, StageProgress progress, CancellationToken ct)
    {
        string final = Path.Combine(root, item.Path);
        string partial = final + PartialSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        if (File.Exists(final))
        {
            (long length, string sha) = await StreamHashing.HashFileAsync(final, progress.Add, ct).ConfigureAwait(false);
            if (length == item.Size && sha == item.Sha256)
            {
                return true;
            }

            File.Delete(final);
        }

        bool resumed = File.Exists(partial) && new FileInfo(partial).Length is > 0 and var existing && existing <= item.Size;
        if (!resumed)
        {
            File.Delete(partial);
        }

        string written = await CopyAsync(item, partial, progress, ct).ConfigureAwait(false);
        if (written != item.Sha256 && resumed)
        {
            // The earlier run's bytes were not the source's (another version of the file): write it again in full.
            File.Delete(partial);
            resumed = false;
            written = await CopyAsync(item, partial, progress, ct).ConfigureAwait(false);
        }

        if (written != item.Sha256)
        {
            File.Delete(partial);
            throw item.SourceChanged(written);
        }

        File.Move(partial, final);
        return resumed;
    }

    /// <summary>Appends the source's bytes after what the partial file holds, hashing the whole file; returns its SHA-256.</summary>
    private static async Task<string> CopyAsync(PackageItem item, string partial, StageProgress progress, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var output = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        await using (output.ConfigureAwait(false))
        {
            // The bytes already there are hashed from the target itself: they came from an earlier run.
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await output.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                progress.Add(read);
            }

            Stream source = item.OpenSource(output.Length);
            await using (source.ConfigureAwait(false))
            {
                while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                    progress.Add(read);
                }
            }

            // Slow removable media cache writes: the file only counts as written once it is on the device.
            output.Flush(flushToDisk: true);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken ct)
    {
        string temp = path + ".tmp";
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
