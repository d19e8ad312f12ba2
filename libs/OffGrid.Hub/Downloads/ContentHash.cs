using System.Security.Cryptography;

namespace OffGrid.Hub.Downloads;

/// <summary>An expected content digest: an algorithm name and the digest bytes.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ContentHash
{
    private readonly byte[] _digest;

    private ContentHash(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>Gets the algorithm: <c>sha256</c>, <c>sha384</c>, <c>sha512</c> or <c>sha1</c>.</summary>
    public string Algorithm { get; }

    /// <summary>Gets the digest bytes.</summary>
    public ReadOnlyMemory<byte> Digest => _digest;

    /// <summary>Gets the digest as lower-case hexadecimal.</summary>
    public string Hex => Convert.ToHexStringLower(_digest);

    /// <summary>Creates a SHA-256 hash from hexadecimal text (the form Hugging Face gives for LFS files).</summary>
    /// <param name="hex">64 hexadecimal digits.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="FormatException">The text is not 64 hexadecimal digits.</exception>
    public static ContentHash Sha256(string hex) => FromHex("sha256", hex, 32);

    /// <summary>Creates a SHA-512 hash from hexadecimal text.</summary>
    /// <param name="hex">128 hexadecimal digits.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="FormatException">The text is not 128 hexadecimal digits.</exception>
    public static ContentHash Sha512(string hex) => FromHex("sha512", hex, 64);

    /// <summary>
    /// Creates a hash from a Subresource Integrity string such as <c>sha512-&lt;base64&gt;</c> (the form npm gives in
    /// <c>dist.integrity</c>). When several are given separated by spaces, the strongest is used.
    /// </summary>
    /// <param name="integrity">The integrity string.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="FormatException">No supported algorithm or invalid base64.</exception>
    public static ContentHash FromIntegrity(string integrity)
    {
        ArgumentNullException.ThrowIfNull(integrity);
        ContentHash? best = null;
        foreach (string part in integrity.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0)
            {
                continue;
            }

            string algorithm = part[..dash].ToLowerInvariant();
            if (DigestLength(algorithm) is not { } length)
            {
                continue;
            }

            string base64 = part[(dash + 1)..];
            int options = base64.IndexOf('?', StringComparison.Ordinal);
            byte[] digest = Convert.FromBase64String(options >= 0 ? base64[..options] : base64);
            if (digest.Length != length)
            {
                throw new FormatException($"The {algorithm} digest in '{part}' has {digest.Length} bytes; {length} expected.");
            }

            if (best is null || length > best._digest.Length)
            {
                best = new ContentHash(algorithm, digest);
            }
        }

        return best ?? throw new FormatException($"'{integrity}' holds no sha1, sha256, sha384 or sha512 integrity value.");
    }

    /// <summary>Compares the digest with <paramref name="digest"/> in constant time.</summary>
    /// <param name="digest">The digest that was computed.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Matches(ReadOnlySpan<byte> digest) => CryptographicOperations.FixedTimeEquals(_digest, digest);

    /// <summary>Hashes the file at <paramref name="path"/> with this hash's algorithm and compares the digests.</summary>
    /// <param name="path">The file to check.</param>
    /// <param name="cancellationToken">Stops hashing.</param>
    /// <returns><see langword="true"/> when the file has this digest.</returns>
    public async Task<bool> MatchesFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Dictionary<string, byte[]> digests = await FileHashing.ComputeAsync(path, [Algorithm], cancellationToken).ConfigureAwait(false);
        return Matches(digests[Algorithm]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>Creates an incremental hasher for <see cref="Algorithm"/>.</summary>
    internal IncrementalHash CreateHasher() => CreateHasher(Algorithm);

    internal static IncrementalHash CreateHasher(string algorithm) => algorithm switch
    {
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        "sha384" => IncrementalHash.CreateHash(HashAlgorithmName.SHA384),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
    };

    private static int? DigestLength(string algorithm) => algorithm switch
    {
        "sha1" => 20,
        "sha256" => 32,
        "sha384" => 48,
        "sha512" => 64,
        _ => null,
    };

    private static ContentHash FromHex(string algorithm, string hex, int length)
    {
        ArgumentNullException.ThrowIfNull(hex);
        byte[] digest = Convert.FromHexString(hex.Trim());
        return digest.Length == length
            ? new ContentHash(algorithm, digest)
            : throw new FormatException($"A {algorithm} digest has {length * 2} hexadecimal digits; got {hex.Length}.");
    }
}
