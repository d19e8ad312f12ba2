namespace OffGrid.Hub.Store;

/// <summary>One file of a <see cref="ModelImport"/> with the size and digest it must have.</summary>
/// <param name="Path">The path inside the model's folder: a plain relative path such as <c>model.gguf</c>.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Sha256">The SHA-256 of the content, 64 hexadecimal digits.</param>
public sealed record ModelImportFile(string Path, long Size, string Sha256);
