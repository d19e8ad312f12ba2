using System.Buffers;
using System.Security.Cryptography;

namespace OffGrid.Hub.Downloads;

/// <summary>Hashes files on disk with one or more algorithms in a single read.</summary>
internal static class FileHashing
{
    /// <summary>Computes the digests of <paramref name="path"/> for each algorithm name (<c>sha256</c>, <c>sha512</c>…).</summary>
    public static async Task<Dictionary<string, byte[]>> ComputeAsync(string path, IReadOnlyCollection<string> algorithms, CancellationToken ct)
    {
        var hashers = algorithms.ToDictionary(a => a, ContentHash.CreateHasher);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    foreach (IncrementalHash hasher in hashers.Values)
                    {
                        hasher.AppendData(buffer, 0, read);
                    }
                }
            }

            return hashers.ToDictionary(p => p.Key, p => p.Value.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (IncrementalHash hasher in hashers.Values)
            {
                hasher.Dispose();
            }
        }
    }

    /// <summary>Computes the SHA-256 of <paramref name="path"/> as lower-case hex.</summary>
    public static async Task<string> Sha256HexAsync(string path, CancellationToken ct) =>
        Convert.ToHexStringLower((await ComputeAsync(path, ["sha256"], ct).ConfigureAwait(false))["sha256"]);
}
