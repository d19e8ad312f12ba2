using System.Formats.Tar;
using System.Text.Json;
using OffGrid.Hub.Downloads;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// Writes a package as one <c>.tar</c> file: the manifest first (so a reader authenticates it before any data), then
/// the signature, then every file. The archive grows as <c>&lt;name&gt;.tar.partial</c> beside a journal of finished
/// entries; an interrupted run of the same content resumes after the last finished entry (the entry being written
/// when it stopped is written again), keeping the first run's manifest and signature.
/// </summary>
internal static class TarPackageWriter
{
    /// <summary>Writes the archive; returns whether an earlier run was resumed and the manifest and signature the archive holds.</summary>
    public static async Task<(bool Resumed, byte[] Manifest, byte[]? Signature)> WriteAsync(
        string archive, string contentId, IReadOnlyList<PackageItem> items, byte[] manifest, byte[]? signature, StageProgress progress, CancellationToken ct)
    {
        if (File.Exists(archive) || Directory.Exists(archive))
        {
            throw new PackageException(PackageProblem.InvalidRequest, $"{archive} already exists; remove it or choose another name.");
        }

        string partial = archive + ".partial";
        string journalPath = archive + ".partial.json";
        Journal journal = Journal.TryLoad(journalPath) is { } previous && previous.ContentId == contentId && File.Exists(partial)
            ? previous
            : Journal.Start(contentId, manifest, signature);
        List<PackageItem> entries = journal.Entries(items);
        if (!journal.Finished.Select(f => f.Path).SequenceEqual(entries.Take(journal.Finished.Count).Select(e => e.Path), StringComparer.Ordinal)
            || journal.Finished.Count > 0 && new FileInfo(partial).Length < journal.Finished[^1].End)
        {
            journal = Journal.Start(contentId, manifest, signature);
            entries = journal.Entries(items);
        }

        bool resumed = journal.Finished.Count > 0;
        long resumeAt = resumed ? journal.Finished[^1].End : 0;

        // A tar entry takes a header block (plus a PAX header for long names) and its data rounded up to 512 bytes.
        long needed = entries.Skip(journal.Finished.Count).Sum(e => 1536 + ((e.Size + 511) / 512 * 512)) + 1024;
        DiskSpace.EnsureAvailable(archive, needed);
        Directory.CreateDirectory(Path.GetDirectoryName(archive)!);
        if (!resumed)
        {
            File.Delete(partial);
            journal.Save(journalPath);
        }
        try
        {
            var stream = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                stream.SetLength(resumeAt);
                stream.Position = resumeAt;
                var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    foreach (PackageItem item in entries.Skip(journal.Finished.Count))
                    {
                        progress.Item = item.Path;
                        await WriteEntryAsync(writer, item, progress, ct).ConfigureAwait(false);
                        await stream.FlushAsync(ct).ConfigureAwait(false);
                        stream.Flush(flushToDisk: true);
                        journal.Finished.Add(new FinishedEntry(item.Path, stream.Position));
                        journal.Save(journalPath);
                    }
                }

                stream.Flush(flushToDisk: true);
            }
        }
        catch (IOException ex) when (DiskSpace.IsDiskFull(ex) && ex is not InsufficientDiskSpaceException)
        {
            throw new InsufficientDiskSpaceException($"The disk holding {archive} is full. The unfinished archive is kept: free some space and run the same command again to resume.", ex);
        }
        catch (PackageException)
        {
            File.Delete(partial);
            File.Delete(journalPath);
            throw;
        }

        File.Move(partial, archive);
        File.Delete(journalPath);
        progress.Finish();
        return (resumed, journal.Manifest, journal.Signature);
    }

    private static async Task WriteEntryAsync(TarWriter writer, PackageItem item, StageProgress progress, CancellationToken ct)
    {
        var data = new HashingReadStream(item.OpenSource(0), progress.Add);
        await using (data.ConfigureAwait(false))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, item.Path)
            {
                DataStream = data,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
            if (data.Sha256() is var sha && sha != item.Sha256)
            {
                throw item.SourceChanged(sha);
            }
        }
    }

    private sealed record FinishedEntry(string Path, long End);

    private sealed class Journal
    {
        private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        public required string ContentId { get; init; }

        public required byte[] Manifest { get; init; }

        public byte[]? Signature { get; init; }

        public required List<FinishedEntry> Finished { get; init; }

        public static Journal Start(string contentId, byte[] manifest, byte[]? signature) =>
            new() { ContentId = contentId, Manifest = manifest, Signature = signature, Finished = [] };

        /// <summary>Lists the archive's entries in order: this journal's manifest and signature, then the files.</summary>
        public List<PackageItem> Entries(IReadOnlyList<PackageItem> items)
        {
            List<PackageItem> entries = [PackageItem.FromContent(PackageLayout.ManifestFile, Manifest)];
            if (Signature is not null)
            {
                entries.Add(PackageItem.FromContent(PackageLayout.SignatureFile, Signature));
            }

            entries.AddRange(items);
            return entries;
        }

        public static Journal? TryLoad(string path)
        {
            try
            {
                return File.Exists(path) ? JsonSerializer.Deserialize<Journal>(File.ReadAllBytes(path), s_json) : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public void Save(string path)
        {
            string temp = path + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, s_json));
            File.Move(temp, path, overwrite: true);
        }
    }
}
