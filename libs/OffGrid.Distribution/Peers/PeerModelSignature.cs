using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Peers;

/// <summary>What a shared model's signature proves on this machine.</summary>
/// <param name="Status">The verdict.</param>
/// <param name="Publisher">The publisher named by the signing key, when signed.</param>
/// <param name="KeyId">The signing key's id, when signed.</param>
public sealed record PeerModelSignature(SignatureStatus Status, string? Publisher, string? KeyId)
{
    /// <summary>An unsigned model.</summary>
    public static PeerModelSignature Unsigned { get; } = new(SignatureStatus.Unsigned, null, null);
}
