namespace OffGrid.Hub.Store;

/// <summary>One file of a stored model.</summary>
/// <param name="Path">The file path: relative to the model's folder, or absolute for a model imported by reference.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Sha256">The SHA-256 of the content, lower-case hex.</param>
public sealed record ModelFileEntry(string Path, long Size, string Sha256);
