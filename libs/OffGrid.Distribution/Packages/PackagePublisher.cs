namespace OffGrid.Distribution.Packages;

/// <summary>The publisher named in a package manifest: the display name and id of the key that signs it.</summary>
/// <param name="Name">The publisher's display name.</param>
/// <param name="KeyId">The key id (see <see cref="Signing.PublisherKey.KeyId"/>).</param>
public sealed record PackagePublisher(string Name, string KeyId);
