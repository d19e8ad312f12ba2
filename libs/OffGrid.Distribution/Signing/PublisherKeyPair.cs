using System.Text.Json;
using NSec.Cryptography;

namespace OffGrid.Distribution.Signing;

/// <summary>
/// A publisher's Ed25519 key pair (NSec on libsodium): signs package manifests. Saved as a small JSON file readable
/// only by its owner (mode 0600 on Unix).
/// </summary>
/// <remarks>Thread-safe for signing. Dispose to release the private key.</remarks>
public sealed class PublisherKeyPair : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
    private readonly Key _key;

    private PublisherKeyPair(Key key, string name, DateTimeOffset createdAt)
    {
        _key = key;
        CreatedAt = createdAt;
        PublicKey = PublisherKey.FromRaw(key.PublicKey.Export(KeyBlobFormat.RawPublicKey), name);
    }

    /// <summary>Gets the public half, to export and trust on other machines.</summary>
    public PublisherKey PublicKey { get; }

    /// <summary>Gets when the key was generated.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Generates a new key pair from the operating system's random source.</summary>
    /// <param name="name">The publisher name shown next to the key (a person, team or organisation).</param>
    /// <returns>The key pair.</returns>
    public static PublisherKeyPair Generate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new PublisherKeyPair(key, name, DateTimeOffset.UtcNow);
    }

    /// <summary>Reads a key pair saved by <see cref="SaveAsync"/>.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="PublisherKeyException">There is no key file, or it is not a publisher key.</exception>
    public static async Task<PublisherKeyPair> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new PublisherKeyException($"No publisher key at {path}; create one with 'offgrid package key generate'.");
        }

        try
        {
            KeyFile? file = JsonSerializer.Deserialize<KeyFile>(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), s_json);
            byte[] seed = Convert.FromBase64String(file?.PrivateKey ?? string.Empty);
            if (file is null || file.Algorithm != "ed25519" || seed.Length != 32)
            {
                throw new PublisherKeyException($"{path} is not an OffGrid publisher key file.");
            }

            var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            return new PublisherKeyPair(key, file.Name ?? "unnamed", file.CreatedAt);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new PublisherKeyException($"{path} is not an OffGrid publisher key file: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the key pair to <paramref name="path"/>, readable only by the current user.</summary>
    /// <param name="path">The key file; its folder is created.</param>
    /// <param name="overwrite">Replaces an existing key file when true.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="PublisherKeyException">A key file exists and <paramref name="overwrite"/> is false.</exception>
    public async Task SaveAsync(string path, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path) && !overwrite)
        {
            throw new PublisherKeyException($"A publisher key already exists at {path}; packages signed with it would no longer verify against a new one. Pass --force to replace it.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var file = new KeyFile
        {
            Algorithm = "ed25519",
            Name = PublicKey.Name,
            KeyId = PublicKey.KeyId,
            PublicKey = Convert.ToBase64String(PublicKey.RawKey.Span),
            PrivateKey = Convert.ToBase64String(_key.Export(KeyBlobFormat.RawPrivateKey)),
            CreatedAt = CreatedAt,
        };
        string temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temp, options);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, file, s_json, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Signs <paramref name="data"/> with Ed25519.</summary>
    /// <param name="data">The bytes to sign (a package manifest).</param>
    /// <returns>The 64-byte signature.</returns>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();

    private sealed class KeyFile
    {
        public string? Algorithm { get; init; }

        public string? Name { get; init; }

        public string? KeyId { get; init; }

        public string? PublicKey { get; init; }

        public string? PrivateKey { get; init; }

        public DateTimeOffset CreatedAt { get; init; }
    }
}
