namespace OffGrid.Distribution.Packages;

/// <summary>One file of a package.</summary>
/// <param name="Path">The path from the package root with <c>/</c> separators, for example <c>models/acme--tiny/tiny.gguf</c>.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Sha256">The SHA-256 of the content, 64 lower-case hexadecimal digits.</param>
public sealed record PackageFile(string Path, long Size, string Sha256);
