namespace OffGrid.Hub.Downloads;

/// <summary>What to download, where to put it, and what it must look like when it arrives.</summary>
/// <remarks>Immutable once initialized; safe to share between threads.</remarks>
public sealed class DownloadRequest
{
    /// <summary>Gets the address to download (redirects are followed).</summary>
    public required Uri Source { get; init; }

    /// <summary>Gets the final file path; data is written to <c>&lt;path&gt;.partial</c> and moved here only once verified.</summary>
    public required string DestinationPath { get; init; }

    /// <summary>Gets the digest the file must have; a mismatch deletes the partial file and throws <see cref="DownloadIntegrityException"/>.</summary>
    public ContentHash? ExpectedHash { get; init; }

    /// <summary>Gets the size in bytes the file must have.</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>
    /// Gets more addresses that serve the same bytes (mirrors, LAN peers). A large file's ranges are spread over
    /// <see cref="Source"/> and every mirror; an address that fails hands its unfinished ranges to the others.
    /// The addresses must agree on the file's validator (ETag) for resumes to combine their bytes.
    /// </summary>
    public IReadOnlyList<Uri>? Mirrors { get; init; }

    /// <summary>Gets extra request headers, for example <c>Authorization</c>.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
