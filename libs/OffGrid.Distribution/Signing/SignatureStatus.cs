namespace OffGrid.Distribution.Signing;

/// <summary>The verdict on a signed package manifest (of a package, or of a model a peer shares).</summary>
public enum SignatureStatus
{
    /// <summary>No signature.</summary>
    Unsigned,

    /// <summary>A key in this machine's trust store made the signature.</summary>
    Trusted,

    /// <summary>The signature is valid, but this machine does not trust the key.</summary>
    UntrustedKey,

    /// <summary>The signing key was revoked on this machine.</summary>
    RevokedKey,

    /// <summary>The signature does not verify, or does not cover what it should.</summary>
    Invalid,
}
