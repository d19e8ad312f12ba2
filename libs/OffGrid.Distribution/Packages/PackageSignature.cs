using System.Text.Json;
using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Packages;

/// <summary>The content of <c>offgrid-package.sig</c>: an Ed25519 signature over the exact bytes of the manifest, and the key that made it.</summary>
internal sealed record PackageSignature
{
    public required string Algorithm { get; init; }

    public required string KeyId { get; init; }

    public required string Publisher { get; init; }

    public required string PublicKey { get; init; }

    public required string Signature { get; init; }

    public static byte[] Create(PublisherKeyPair signer, ReadOnlySpan<byte> manifest) => JsonSerializer.SerializeToUtf8Bytes(
        new PackageSignature
        {
            Algorithm = "ed25519",
            KeyId = signer.PublicKey.KeyId,
            Publisher = signer.PublicKey.Name,
            PublicKey = Convert.ToBase64String(signer.PublicKey.RawKey.Span),
            Signature = Convert.ToBase64String(signer.Sign(manifest)),
        },
        PackageLayout.Json);

    /// <summary>Parses a signature file; throws <see cref="PackageException"/> when it is not one.</summary>
    public static (PublisherKey Key, byte[] Signature) Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            PackageSignature? parsed = JsonSerializer.Deserialize<PackageSignature>(bytes, PackageLayout.Json);
            if (parsed is { Algorithm: "ed25519" })
            {
                PublisherKey key = PublisherKey.FromRaw(Convert.FromBase64String(parsed.PublicKey), parsed.Publisher);
                byte[] signature = Convert.FromBase64String(parsed.Signature);
                if (key.KeyId.Equals(parsed.KeyId, StringComparison.OrdinalIgnoreCase))
                {
                    return (key, signature);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or PublisherKeyException)
        {
            throw new PackageException(PackageProblem.BadSignature, $"{PackageLayout.SignatureFile} is not an OffGrid package signature: {ex.Message}", ex);
        }

        throw new PackageException(PackageProblem.BadSignature, $"{PackageLayout.SignatureFile} is not an Ed25519 OffGrid package signature.");
    }
}
