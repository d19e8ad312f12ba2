namespace OffGrid.Hub.Store;

/// <summary>
/// A model to add to the store from files whose sizes and SHA-256 digests are known in advance (a verified offline
/// package, a LAN peer's listing): <see cref="ModelStore.ImportAsync(ModelImport, Func{ModelImportFile, string}, IProgress{PullProgress}?, CancellationToken)"/>
/// and <see cref="ModelStore.DownloadAsync"/> refuse any file that does not match.
/// </summary>
/// <remarks>Immutable once initialized; safe to share between threads.</remarks>
public sealed class ModelImport
{
    /// <summary>Gets the store name, for example <c>owner/repo:Q4_K_M</c> or <c>local/my-model</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the files, first part first; each path is a plain relative path inside the model's folder.</summary>
    public required IReadOnlyList<ModelImportFile> Files { get; init; }

    /// <summary>Gets the source repository (<c>owner/repo</c>) the model was originally pulled from, if any.</summary>
    public string? Repository { get; init; }

    /// <summary>Gets the repository revision the files were taken from, if any.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the quantization label, for example <c>Q4_K_M</c>; read from the GGUF header when <see langword="null"/>.</summary>
    public string? Quantization { get; init; }
}
