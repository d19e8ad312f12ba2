using System.Formats.Tar;
using System.IO.Compression;

namespace OffGrid.Hub.Downloads;

/// <summary>Extracts npm package tarballs (<c>.tgz</c>) safely: regular files only, never outside the destination.</summary>
public static class NpmTarball
{
    /// <summary>
    /// Extracts the regular files of <paramref name="tarball"/> under <paramref name="destination"/>, keeping the archive's
    /// paths (npm tarballs put everything under <c>package/</c>). Links and devices are skipped.
    /// </summary>
    /// <param name="tarball">The gzip-compressed tar file.</param>
    /// <param name="destination">An existing folder, normally an empty staging folder the caller publishes afterwards.</param>
    /// <param name="cancellationToken">Stops the extraction; the destination is then left partly filled.</param>
    /// <exception cref="InvalidDataException">An entry's path leads outside the destination, or the file is not a gzip tar.</exception>
    public static async Task ExtractAsync(string tarball, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        ArgumentNullException.ThrowIfNull(destination);
        string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        await using FileStream file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                continue;
            }

            string path = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"'{tarball}' contains an unsafe path: '{entry.Name}'.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await entry.ExtractToFileAsync(path, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }
}
