using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace OffGrid.Distribution.Signing;

/// <summary>
/// A publisher's Ed25519 public key (RFC 8032) with a display name. Its text form is one line,
/// <c>offgrid-ed25519 &lt;base64 of the 32-byte key&gt; &lt;name&gt;</c>; its <see cref="KeyId"/> is the first 16
/// bytes of the SHA-256 of the raw key, as 32 lower-case hexadecimal digits, for people to compare out of band.
/// </summary>
/// <remarks>Immutable and thread-safe. Equality is by key bytes; the name is only a label.</remarks>
public sealed class PublisherKey : IEquatable<PublisherKey>
{
    /// <summary>The first word of the text form.</summary>
    public const string TextPrefix = "offgrid-ed25519";

    private readonly byte[] _raw;

    private PublisherKey(byte[] raw, string name)
    {
        _raw = raw;
        Name = name;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(raw).AsSpan(0, 16));
    }

    /// <summary>Gets the publisher's display name (not authenticated: only the key is).</summary>
    public string Name { get; }

    /// <summary>Gets the key identifier: 32 hexadecimal digits derived from the key.</summary>
    public string KeyId { get; }

    /// <summary>Gets the raw 32-byte Ed25519 public key.</summary>
    public ReadOnlyMemory<byte> RawKey => _raw;

    /// <summary>Parses the text form <c>offgrid-ed25519 &lt;base64&gt; [name]</c>.</summary>
    /// <param name="text">One line of text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="PublisherKeyException">The text is not a publisher key.</exception>
    public static PublisherKey Parse(string text) =>
        TryParse(text, out PublisherKey? key)
            ? key
            : throw new PublisherKeyException($"'{Shorten(text)}' is not an OffGrid publisher key (expected '{TextPrefix} <base64 key> <name>').");

    /// <summary>Tries to parse the text form.</summary>
    /// <param name="text">One line of text.</param>
    /// <param name="key">The key, when the text is one.</param>
    /// <returns><see langword="true"/> when the text is a publisher key.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PublisherKey? key)
    {
        key = null;
        string[] parts = (text ?? string.Empty).Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || parts[0] != TextPrefix)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[33];
        if (!Convert.TryFromBase64String(parts[1], raw, out int written) || written != 32)
        {
            return false;
        }

        key = FromRaw(raw[..32].ToArray(), parts.Length > 2 ? parts[2] : "unnamed");
        return true;
    }

    /// <summary>Creates a key from its raw 32 bytes.</summary>
    /// <param name="raw">The Ed25519 public key.</param>
    /// <param name="name">The display name.</param>
    /// <returns>The key.</returns>
    /// <exception cref="PublisherKeyException">The bytes are not 32 long.</exception>
    public static PublisherKey FromRaw(ReadOnlySpan<byte> raw, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (raw.Length != 32)
        {
            throw new PublisherKeyException($"An Ed25519 public key has 32 bytes, not {raw.Length}.");
        }

        return new PublisherKey(raw.ToArray(), SanitizeName(name));
    }

    /// <summary>Checks an Ed25519 signature made by this key's private half.</summary>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The 64-byte signature.</param>
    /// <returns><see langword="true"/> when the signature is valid for <paramref name="data"/>.</returns>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureAlgorithm.Ed25519.SignatureSize)
        {
            return false;
        }

        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, _raw, KeyBlobFormat.RawPublicKey, out PublicKey? key)
            && SignatureAlgorithm.Ed25519.Verify(key!, data, signature);
    }

    /// <summary>Gets a value indicating whether <paramref name="keyIdOrName"/> names this key: its full id, an id prefix of at least 8 digits, or its name.</summary>
    /// <param name="keyIdOrName">What a user typed.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(string keyIdOrName)
    {
        ArgumentNullException.ThrowIfNull(keyIdOrName);
        string value = keyIdOrName.Trim();
        return (value.Length >= 8 && KeyId.StartsWith(value, StringComparison.OrdinalIgnoreCase))
            || Name.Equals(value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Gets the same key under another display name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The renamed key.</returns>
    public PublisherKey WithName(string name) => FromRaw(_raw, name);

    /// <summary>Returns the text form, <c>offgrid-ed25519 &lt;base64&gt; &lt;name&gt;</c>.</summary>
    /// <returns>One line without a line break.</returns>
    public override string ToString() => $"{TextPrefix} {Convert.ToBase64String(_raw)} {Name}";

    /// <inheritdoc/>
    public bool Equals(PublisherKey? other) => other is not null && _raw.AsSpan().SequenceEqual(other._raw);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PublisherKey);

    /// <inheritdoc/>
    public override int GetHashCode() => KeyId.GetHashCode(StringComparison.Ordinal);

    private static string SanitizeName(string name)
    {
        // The name travels in one-line key files and in logs: no line breaks or control characters.
        string clean = new(name.Where(c => !char.IsControl(c)).ToArray());
        clean = clean.Trim();
        return clean.Length == 0 ? "unnamed" : clean.Length > 100 ? clean[..100] : clean;
    }

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length > 60 ? text[..60] + "…" : text.Trim();
}
