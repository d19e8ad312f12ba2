using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Packages;

/// <summary>A package whose signature (unless unsigned packages were allowed) and every file's size and SHA-256 were checked.</summary>
/// <remarks>Immutable and thread-safe. The check holds for the moment it was made: importing copies and checks each file again.</remarks>
public sealed class VerifiedPackage
{
    internal VerifiedPackage(string path, bool isArchive, PackageManifest manifest, TrustedPublisher? publisher, byte[] manifestBytes, byte[]? signatureBytes, Func<PackageFile, string?> localPath)
    {
        Path = path;
        IsArchive = isArchive;
        Manifest = manifest;
        Publisher = publisher;
        ManifestBytes = manifestBytes;
        SignatureBytes = signatureBytes;
        LocalPath = localPath;
    }

    /// <summary>Gets the package folder or archive.</summary>
    public string Path { get; }

    /// <summary>Gets a value indicating whether the package is a <c>.tar</c> archive rather than a folder.</summary>
    public bool IsArchive { get; }

    /// <summary>Gets the manifest.</summary>
    public PackageManifest Manifest { get; }

    /// <summary>Gets the trusted publisher whose key signed the package; <see langword="null"/> for an unsigned package that was allowed.</summary>
    public TrustedPublisher? Publisher { get; }

    /// <summary>Gets a value indicating whether the package carries a valid signature of a trusted key.</summary>
    public bool IsSigned => Publisher is not null;

    /// <summary>Gets the exact bytes of the manifest (what the signature covers).</summary>
    internal byte[] ManifestBytes { get; }

    /// <summary>Gets the bytes of the signature file, if any.</summary>
    internal byte[]? SignatureBytes { get; }

    /// <summary>Gets where a file can be read on this machine: in the folder, or where it was extracted from the archive (null when not extracted).</summary>
    internal Func<PackageFile, string?> LocalPath { get; }
}
