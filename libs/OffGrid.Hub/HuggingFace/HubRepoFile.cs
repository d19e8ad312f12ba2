namespace OffGrid.Hub.HuggingFace;

/// <summary>One file of a Hub repository, as the tree API lists it.</summary>
/// <param name="Path">The path inside the repository.</param>
/// <param name="Size">The size in bytes (of the real file for LFS files, not of the pointer).</param>
/// <param name="Sha256">The SHA-256 of the content for LFS files (hex), else <see langword="null"/>.</param>
/// <param name="GitOid">The git object id.</param>
public sealed record HubRepoFile(string Path, long Size, string? Sha256, string? GitOid);
