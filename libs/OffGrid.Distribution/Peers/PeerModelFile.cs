namespace OffGrid.Distribution.Peers;

/// <summary>One file of a shared model.</summary>
/// <param name="Path">The file name in the model's folder.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Sha256">The SHA-256, 64 lower-case hexadecimal digits (also the file's address on every peer).</param>
public sealed record PeerModelFile(string Path, long Size, string Sha256);
