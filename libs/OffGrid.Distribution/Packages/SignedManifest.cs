using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// The one check of a signed package manifest, for packages and for models peers share: the Ed25519 signature over the
/// exact manifest bytes (checked before the manifest is parsed), the manifest's own publisher key id, and the trust store.
/// </summary>
internal static class SignedManifest
{
    /// <summary>The verdict, with the signing key and the parsed manifest when the signature is valid, and what is wrong otherwise.</summary>
    public sealed record Verdict(SignatureStatus Status, PublisherKey? Key, TrustedPublisher? Trusted, PackageManifest? Manifest, string? Problem);

    public static async Task<Verdict> CheckAsync(byte[] manifestBytes, byte[] signatureBytes, TrustStore trust, CancellationToken ct)
    {
        PublisherKey key;
        byte[] signature;
        try
        {
            (key, signature) = PackageSignature.Parse(signatureBytes);
        }
        catch (PackageException ex)
        {
            return new Verdict(SignatureStatus.Invalid, null, null, null, ex.Message);
        }

        if (!key.Verify(manifestBytes, signature))
        {
            return new Verdict(SignatureStatus.Invalid, key, null, null, $"The signature does not match the manifest: it was altered after '{key.Name}' signed it, or another key signed it.");
        }

        PackageManifest manifest = PackageManifestParser.Parse(manifestBytes);
        if (manifest.Publisher?.KeyId is not { } named || !named.Equals(key.KeyId, StringComparison.OrdinalIgnoreCase))
        {
            return new Verdict(SignatureStatus.Invalid, key, null, manifest, $"The manifest names the publisher key {manifest.Publisher?.KeyId ?? "(none)"}, but {key.KeyId} signed it.");
        }

        TrustedPublisher? trusted = await trust.FindAsync(key.KeyId, ct).ConfigureAwait(false);
        return trusted switch
        {
            { IsRevoked: true } => new Verdict(SignatureStatus.RevokedKey, key, trusted, manifest, $"It is signed with the key {key.KeyId} ({trusted.Key.Name}), which was revoked on {trusted.RevokedAt:yyyy-MM-dd}."),
            not null when trusted.Key.Equals(key) => new Verdict(SignatureStatus.Trusted, key, trusted, manifest, null),
            _ => new Verdict(SignatureStatus.UntrustedKey, key, null, manifest, $"It is signed with the key {key.KeyId} ('{key.Name}'), which this machine does not trust."),
        };
    }
}
