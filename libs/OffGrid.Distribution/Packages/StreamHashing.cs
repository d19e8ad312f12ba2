using System.Buffers;
using System.Security.Cryptography;

namespace OffGrid.Distribution.Packages;

/// <summary>Reads a stream to its end (or a byte limit) in one pass, hashing it with SHA-256 and optionally copying it.</summary>
internal static class StreamHashing
{
    private const int BufferSize = 1 << 20;

    /// <summary>Returns the bytes read and their SHA-256 (lower-case hex); <paramref name="counted"/> sees every block.</summary>
    public static async Task<(long Length, string Sha256)> CopyAsync(Stream input, Stream? output, Action<int>? counted, CancellationToken ct)
    {
        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long length = 0;
            int read;
            while ((read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                if (output is not null)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }

                length += read;
                counted?.Invoke(read);
            }

            return (length, Convert.ToHexStringLower(hasher.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes a file.</summary>
    public static async Task<(long Length, string Sha256)> HashFileAsync(string path, Action<int>? counted, CancellationToken ct)
    {
        var stream = OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await CopyAsync(stream, null, counted, ct).ConfigureAwait(false);
        }
    }

    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
}
