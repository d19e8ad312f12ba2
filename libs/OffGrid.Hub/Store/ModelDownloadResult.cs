using OffGrid.Hub.Downloads;

namespace OffGrid.Hub.Store;

/// <summary>The outcome of <see cref="ModelStore.DownloadAsync"/>.</summary>
/// <param name="Model">The stored model.</param>
/// <param name="Downloads">Each file's download, in order; empty when the model was already stored.</param>
public sealed record ModelDownloadResult(ModelManifest Model, IReadOnlyList<DownloadResult> Downloads);
