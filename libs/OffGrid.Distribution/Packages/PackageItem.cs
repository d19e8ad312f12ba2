namespace OffGrid.Distribution.Packages;

/// <summary>One file to write into a package: its package path, expected size and SHA-256, and where its bytes come from (a file or generated content).</summary>
internal sealed record PackageItem(string Path, long Size, string Sha256, string? SourcePath, byte[]? Content)
{
    public static PackageItem FromContent(string path, byte[] content) =>
        new(path, content.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), null, content);

    public PackageFile ToFile() => new(Path, Size, Sha256);

    /// <summary>Opens the source positioned at <paramref name="offset"/>.</summary>
    public Stream OpenSource(long offset)
    {
        Stream stream = Content is not null ? new MemoryStream(Content, writable: false) : StreamHashing.OpenRead(SourcePath!);
        stream.Position = offset;
        return stream;
    }

    public PackageException SourceChanged(string sha256) => new(
        PackageProblem.InvalidRequest,
        $"The source of '{Path}' ({SourcePath ?? "generated"}) has SHA-256 {sha256}, not the recorded {Sha256}: it is damaged or changed while packaging. Run 'offgrid pull' (or fix the source) and create the package again.");
}
