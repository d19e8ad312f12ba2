namespace OffGrid.Distribution.Packages;

/// <summary>Why a package was refused or could not be made.</summary>
public enum PackageProblem
{
    /// <summary>The request cannot be carried out: an unknown model or platform, a missing key, an output that is in the way.</summary>
    InvalidRequest,

    /// <summary>The path holds no OffGrid package (no manifest), or an unfinished one.</summary>
    NotAPackage,

    /// <summary>The manifest is not valid JSON of the package format, or contradicts itself.</summary>
    InvalidManifest,

    /// <summary>The package is not signed and unsigned packages were not allowed.</summary>
    Unsigned,

    /// <summary>The signing key is not in the trust store.</summary>
    UntrustedKey,

    /// <summary>The signing key was revoked.</summary>
    RevokedKey,

    /// <summary>The signature does not match the manifest (the manifest was altered, or signed with another key).</summary>
    BadSignature,

    /// <summary>A path in the manifest or archive is absolute, climbs out of the package (<c>..</c>) or is otherwise unsafe.</summary>
    UnsafePath,

    /// <summary>The package holds a symbolic or hard link, or another entry that is not a plain file or folder.</summary>
    Link,

    /// <summary>A file listed in the manifest is not in the package.</summary>
    MissingFile,

    /// <summary>The package holds a file the manifest does not list.</summary>
    ExtraFile,

    /// <summary>A file's size differs from the manifest.</summary>
    SizeMismatch,

    /// <summary>A file's SHA-256 differs from the manifest (the file was altered).</summary>
    HashMismatch,

    /// <summary>The archive ends early or is damaged.</summary>
    Truncated,
}
