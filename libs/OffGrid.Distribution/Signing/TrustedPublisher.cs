namespace OffGrid.Distribution.Signing;

/// <summary>An entry of the <see cref="TrustStore"/>: a publisher key, when it was trusted, and when it was revoked.</summary>
/// <param name="Key">The publisher key.</param>
/// <param name="TrustedAt">When the key was trusted (or, for a key revoked without ever being trusted, recorded).</param>
/// <param name="RevokedAt">When the key was revoked; <see langword="null"/> while trusted.</param>
public sealed record TrustedPublisher(PublisherKey Key, DateTimeOffset TrustedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Gets a value indicating whether packages signed with the key are refused.</summary>
    public bool IsRevoked => RevokedAt is not null;
}
